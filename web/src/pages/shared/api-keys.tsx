import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function ApiKeys() {
  return <PageHeader title="API keys" />;
}
