import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function Fleet() {
  return <PageHeader title="Fleet" />;
}
