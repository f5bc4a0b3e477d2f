import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function Earnings() {
  return <PageHeader title="Earnings" />;
}
