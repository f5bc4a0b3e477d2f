import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function Spending() {
  return <PageHeader title="Spending" />;
}
