import type { CreatedInvite, Role, User } from '@cloudexport/shared';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { call } from '../../api/client.js';
import { useUser } from '../../api/session.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Loading } from '../../components/states.js';
import { useLoad } from '../../components/use-load.js';
import { ApiKeyManager } from '../../components/api-key-manager.js';
import { CopyField } from '../../components/copy-field.js';
import { dateTime } from '../../format/format.js';
import { LoadMoreButton, useMore } from '../../components/load-more.js';

const PAGE = 50;
const ROLES: { value: Role; label: string }[] = [
  { value: 'artist', label: 'Artist' },
  { value: 'provider', label: 'Provider (GPU owner)' },
  { value: 'admin', label: 'Admin' },
];

/** /admin/users: everyone with an account, their role and access, their API keys; invite new people. */
export function UsersAndKeys() {
  const users = useLoad(() => call('listUsers', { query: { limit: PAGE } }));
  const more = useMore();
  const replace = (user: User) => users.set((d) => ({ ...d, items: d.items.map((u) => (u.id === user.id ? user : u)) }));
  const loadMore = (cursor: string) =>
    more.run(async () => {
      const page = await call('listUsers', { query: { limit: PAGE, cursor } });
      users.set((d) => ({ items: [...d.items, ...page.items.filter((u) => !d.items.some((x) => x.id === u.id))], nextCursor: page.nextCursor }));
    });
  return (
    <>
      <PageHeader title="Users & keys" />
      <InviteForm />
      <h2>Users</h2>
      {users.state.status === 'loading' && <Loading what="the users" />}
      {users.state.status === 'error' && <ErrorState what="the users" error={users.state.error} retry={users.reload} />}
      {users.state.status === 'ready' &&
        (users.state.data.items.length === 0 ? (
          <Empty title="No users yet.">Invite someone above: they get a link to choose a name and a password.</Empty>
        ) : (
          <div class="table-wrap">
            <table data-testid="user-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Access</th>
                  <th scope="col">Created</th>
                  <th scope="col">API keys</th>
                </tr>
              </thead>
              <tbody>
                {users.state.data.items.map((user) => (
                  <UserRow key={user.id} user={user} onChange={replace} />
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {users.state.status === 'ready' && users.state.data.nextCursor && (
        <LoadMoreButton testId="users-more" label="Load more users" state={more.state} onClick={() => loadMore((users.state as { data: { nextCursor: string } }).data.nextCursor)} />
      )}
    </>
  );
}

function UserRow({ user, onChange }: { user: User; onChange: (user: User) => void }) {
  const me = useUser();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const self = user.id === me.id;
  // `inline`: show a refusal here; the ConfirmButton shows its own beside itself
  const update = async (body: { role?: Role; disabled?: boolean }, inline = true) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await call('updateUser', { params: { id: user.id }, body }));
    } catch (err) {
      // the select shows the server's value again: the refused change did not happen
      if (inline) setError(err instanceof Error ? err.message : String(err));
      onChange({ ...user });
      throw err;
    } finally {
      setBusy(false);
    }
  };
  const keysId = `user-keys-${user.id}`;
  return (
    <Fragment>
      <tr data-testid="user-row" data-user-id={user.id} data-role={user.role} data-disabled={user.disabled}>
        <td>
          {user.name}
          {self && <span class="muted"> (you)</span>}
        </td>
        <td>{user.email}</td>
        <td>
          <label class="cell-field">
            <span class="visually-hidden">Role of {user.name}</span>
            <select
              data-testid={`user-role-${user.id}`}
              value={user.role}
              disabled={busy}
              onChange={(e) => {
                const role = e.currentTarget.value as Role;
                if (role !== user.role) update({ role }).catch(() => undefined);
              }}
            >
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          {error && (
            <div class="inline-error field-error" role="alert" data-testid="user-error">
              {error}
            </div>
          )}
        </td>
        <td>
          {user.disabled ? (
            <span class="confirm">
              <span class="pill bad">disabled</span>
              <button type="button" data-testid="user-enable" disabled={busy} onClick={() => void update({ disabled: false }).catch(() => undefined)}>
                Enable
              </button>
            </span>
          ) : (
            <ConfirmButton
              label="Disable"
              confirm={`Disable ${user.name}? Their sessions and API keys stop working until enabled again.`}
              danger
              testId="user-disable"
              action={() => update({ disabled: true }, false)}
            />
          )}
        </td>
        <td class="num">{dateTime(user.createdAt)}</td>
        <td>
          <button type="button" aria-expanded={open} aria-controls={keysId} data-testid="user-keys-toggle" onClick={() => setOpen(!open)}>
            {open ? 'Hide keys' : 'API keys'}
          </button>
        </td>
      </tr>
      {open && (
        <tr class="expand-row" id={keysId}>
          <td colSpan={6}>
            <ApiKeyManager userId={user.id} whose={`${user.name}’s`} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function InviteForm() {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('artist');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) return setError('Enter the email address of the person to invite, e.g. ana@studio.com.');
    setBusy(true);
    try {
      setCreated(await call('createInvite', { body: { email: email.trim(), role } }));
      setEmail('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const link = created ? `${location.origin}/invite?token=${encodeURIComponent(created.token)}` : '';
  return (
    <section class="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading" class="card-title">
        Invite someone
      </h2>
      <form class="toolbar" onSubmit={(e) => void submit(e)}>
        <label>
          Email
          <input type="email" data-testid="invite-email" value={email} maxLength={254} autoComplete="off" onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Role
          <select data-testid="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary" data-testid="invite-submit" disabled={busy}>
          {busy ? 'Inviting…' : 'Create invite link'}
        </button>
        {error && (
          <span class="inline-error" role="alert">
            {error}
          </span>
        )}
      </form>
      {created && (
        <div class="secret-once" role="status">
          <p>
            <strong>Send this link to {created.invite.email}: it is shown once.</strong> It works once, until {dateTime(created.invite.expiresAt)} (7 days), and
            makes them {created.invite.role === 'admin' ? 'an' : 'a'} {created.invite.role}.
          </p>
          <CopyField value={link} testId="invite-link" label="Invite link" />
          <button type="button" onClick={() => setCreated(null)}>
            Done, hide it
          </button>
        </div>
      )}
    </section>
  );
}
