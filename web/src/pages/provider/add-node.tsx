import type { EnrollmentTokenCreated, RenderNode } from '@cloudexport/shared';
import { useState } from 'preact/hooks';
import { ApiCallError, call } from '../../api/client.js';
import { useUser } from '../../api/session.js';
import { CopyField } from '../../components/copy-field.js';
import { PageHeader } from '../../components/layout.js';
import { NodeStatePill } from '../../components/node-state-pill.js';
import { dateTime } from '../../format/format.js';
import { useLive } from '../../live/live-socket.js';

const TTL_CHOICES = [
  { minutes: 15, label: '15 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 24 * 60, label: '1 day' },
  { minutes: 7 * 24 * 60, label: '7 days' },
];

/**
 * Add a node: a one-time enrollment token and the one line that installs the agent with it.
 * While the page is open, the node that enrolls with it shows up here (live, where allowed).
 */
export function AddNode() {
  const user = useUser();
  const [ttl, setTtl] = useState(60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState<(EnrollmentTokenCreated & { issuedAt: number }) | null>(null);
  const [joined, setJoined] = useState<RenderNode[]>([]);

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await call('createEnrollmentToken', { body: { ttlMinutes: ttl } });
      // the server's clock: a node enrolled with this token was created after this instant
      setToken({ ...created, issuedAt: Date.parse(created.expiresAt) - ttl * 60_000 - 5_000 });
      setJoined([]);
    } catch (err) {
      setError(err instanceof ApiCallError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  useLive(token ? { fleet: true } : null, {
    node: (node) => {
      if (!token || Date.parse(node.createdAt) < token.issuedAt || (user.role !== 'admin' && node.ownerId !== user.id)) return;
      setJoined((list) => (list.some((n) => n.id === node.id) ? list.map((n) => (n.id === node.id ? node : n)) : [...list, node]));
    },
  });

  return (
    <>
      <PageHeader title="Add a node" />
      <ol class="fleet-steps">
        <li>
          <strong>Create an enrollment token.</strong> It works once, for the time you choose.
          <div class="toolbar">
            <label>
              Valid for
              <select data-testid="enroll-ttl" value={ttl} onChange={(e) => setTtl(Number(e.currentTarget.value))}>
                {TTL_CHOICES.map((c) => (
                  <option key={c.minutes} value={c.minutes}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" class="primary" data-testid="enroll-create" disabled={busy} onClick={() => void create()}>
              {busy ? 'Creating…' : token ? 'Create another token' : 'Create token'}
            </button>
            {error && (
              <span class="inline-error" role="alert">
                {error}
              </span>
            )}
          </div>
        </li>
        <li>
          <strong>Run the install command on the GPU machine</strong>, in a terminal. It installs the agent, which detects the GPUs and After Effects and
          enrolls the machine.
          {token ? <InstallCommand token={token} /> : <p class="hint">The command appears here once you create a token.</p>}
        </li>
        <li>
          <strong>The node appears</strong> in <a href={user.role === 'admin' ? '/admin/fleet' : '/nodes'}>{user.role === 'admin' ? 'the fleet' : 'My nodes'}</a> with its GPU
          and tier, and starts taking work.
          {token && joined.length === 0 && (
            <p class="hint" aria-live="polite">
              Waiting for a machine to enroll with this token…
            </p>
          )}
          {joined.length > 0 && (
            <ul class="fleet-list" aria-live="polite" data-testid="enroll-joined">
              {joined.map((node) => (
                <li key={node.id}>
                  <a href={`/nodes/${node.id}`}>{node.name}</a> enrolled <NodeStatePill node={node} />
                </li>
              ))}
            </ul>
          )}
        </li>
      </ol>
    </>
  );
}

function InstallCommand({ token }: { token: EnrollmentTokenCreated }) {
  return (
    <div class="fleet-command">
      <CopyField value={token.installCommand} testId="enroll-command" buttonTestId="enroll-copy" label="Install command" />
      <p class="hint">
        The token expires <span class="num">{dateTime(token.expiresAt)}</span> and works once. Keep the command private: whoever runs it adds a machine to your account.
      </p>
    </div>
  );
}
