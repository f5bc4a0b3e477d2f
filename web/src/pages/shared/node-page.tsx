import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function NodePage() {
  return <PageHeader title="Node" />;
}
