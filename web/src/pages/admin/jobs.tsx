import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function AdminJobs() {
  return <PageHeader title="Jobs" />;
}
