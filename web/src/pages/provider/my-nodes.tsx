import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function MyNodes() {
  return <PageHeader title="My nodes" />;
}
