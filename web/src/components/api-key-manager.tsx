import type { ApiKey } from '@cloudexport/shared';
import { useState } from 'preact/hooks';
import { ApiCallError, call, callAll } from '../api/client.js';
import { ago, dateTime } from '../format/format.js';
import { ConfirmButton } from './confirm-button.js';
import { CopyField } from './copy-field.js';
import { Empty, ErrorState, Loading } from './states.js';
import { useLoad } from './use-load.js';

/**
 * API keys (for the AE panel and the CLI): list, create with a name (the secret is shown once),
 * revoke. Without `userId` it manages your own; admins pass another user's id (the users page).
 */
export function ApiKeyManager({ userId, whose = 'your' }: { userId?: string; whose?: string }) {
  const { state, reload, set } = useLoad<ApiKey[]>(() => callAll<'listApiKeys', ApiKey>('listApiKeys', { query: { userId } }), [userId]);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const onRevoked = (key: ApiKey) => set((keys) => keys.map((k) => (k.id === key.id ? key : k)));
  return (
    <div class="api-keys">
      <CreateKey
        userId={userId}
        onCreated={(apiKey, key) => {
          set((keys) => [apiKey, ...keys.filter((k) => k.id !== apiKey.id)]);
          setCreated({ name: apiKey.name, key });
        }}
      />
      {created && <NewSecret name={created.name} secret={created.key} onDone={() => setCreated(null)} />}
      {state.status === 'loading' && <Loading what={`${whose} API keys`} />}
      {state.status === 'error' && <ErrorState what={`${whose} API keys`} error={state.error} retry={reload} />}
      {state.status === 'ready' && state.data.length === 0 && (
        <Empty title="No API keys yet.">Create one above, then paste it into the CloudExport panel in After Effects or run <code>cloudexport login --api-key KEY</code> with it.</Empty>
      )}
      {state.status === 'ready' && state.data.length > 0 && <KeyTable keys={state.data} onRevoked={onRevoked} />}
    </div>
  );
}

function CreateKey({ userId, onCreated }: { userId: string | undefined; onCreated: (apiKey: ApiKey, key: string) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await call('createApiKey', { body: { name: name.trim(), userId } });
      onCreated(created.apiKey, created.key);
      setName('');
    } catch (err) {
      setError(err instanceof ApiCallError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="toolbar" onSubmit={(e) => void submit(e)}>
      <label>
        Key name
        <input data-testid="key-name" value={name} required maxLength={100} placeholder="e.g. Studio iMac panel" onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" data-testid="key-create" disabled={busy || name.trim() === ''}>
        {busy ? 'Creating…' : 'Create key'}
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

/** The secret, this once: the server keeps only its hash. */
function NewSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  return (
    <div class="card key-secret-card" role="status">
      <p>
        <strong>Copy the key “{name}” now.</strong> It is shown only this once; if you lose it, revoke it and create another.
      </p>
      <CopyField value={secret} testId="key-secret" label={`API key ${name}`} />
      <div class="toolbar">
        <button type="button" onClick={onDone}>
          I have saved it
        </button>
      </div>
    </div>
  );
}

function KeyTable({ keys, onRevoked }: { keys: readonly ApiKey[]; onRevoked: (key: ApiKey) => void }) {
  return (
    <div class="table-wrap">
      <table data-testid="key-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} data-testid="key-row" data-key-id={k.id} data-revoked={k.revokedAt ? 'true' : 'false'}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td title={dateTime(k.createdAt)}>{ago(k.createdAt)}</td>
              <td title={dateTime(k.lastUsedAt)}>{ago(k.lastUsedAt)}</td>
              <td>{k.revokedAt ? <span class="pill bad">revoked</span> : <span class="pill ok">active</span>}</td>
              <td>{!k.revokedAt && <ConfirmButton label="Revoke" confirm={`Revoke “${k.name}”? Panels and CLIs using it stop working.`} danger testId="key-revoke" action={async () => onRevoked(await call('revokeApiKey', { params: { id: k.id } }))} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
