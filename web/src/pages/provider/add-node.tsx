import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function AddNode() {
  return <PageHeader title="Add a node" />;
}
