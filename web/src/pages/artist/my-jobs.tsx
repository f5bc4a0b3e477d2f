import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function MyJobs() {
  return <PageHeader title="My jobs" />;
}
