import { ApiKeyManager } from '../../components/api-key-manager.js';
import { PageHeader } from '../../components/layout.js';

/** Your API keys, for the After Effects panel and the `cloudexport` CLI. */
export function ApiKeys() {
  return (
    <>
      <PageHeader title="API keys" />
      <p class="hint page-intro">The CloudExport panel in After Effects and the <code>cloudexport</code> CLI sign in with an API key. Give each machine its own, so you can revoke one without the others.</p>
      <ApiKeyManager />
    </>
  );
}
