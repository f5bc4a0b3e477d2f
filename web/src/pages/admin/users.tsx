import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function UsersAndKeys() {
  return <PageHeader title="Users & keys" />;
}
