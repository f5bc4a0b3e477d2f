import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function TiersAndPrices() {
  return <PageHeader title="Tiers & prices" />;
}
