import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function AdminOverview() {
  return <PageHeader title="Overview" />;
}
