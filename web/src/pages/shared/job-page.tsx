import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function JobPage() {
  return <PageHeader title="Job" />;
}
