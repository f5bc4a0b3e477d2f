import { PageHeader } from '../../components/layout.js';

// Placeholder until the page is built.
export function AuditLog() {
  return <PageHeader title="Audit log" />;
}
