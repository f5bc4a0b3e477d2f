import { PASSWORD_MIN_LENGTH } from '@cloudexport/shared';
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { call } from '../api/client.js';
import { useSession } from '../api/session.js';

/** `/invite?token=…`: the link an admin sends; choose a name and a password, and you are in. */
export function AcceptInvite() {
  const { query, route } = useLocation();
  const { adopt } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const token = query['token'] ?? '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      adopt(await call('acceptInvite', { body: { token, name: name.trim(), password } }));
      route('/');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div class="auth-page">
      <form class="card auth-card" onSubmit={(e) => void submit(e)}>
        <h1>Join CloudExport</h1>
        {!token && <p class="inline-error">This link has no invite token. Ask the admin who invited you for the full link.</p>}
        <label>
          Your name
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} autoComplete="name" />
        </label>
        <label>
          Choose a password (at least {PASSWORD_MIN_LENGTH} characters)
          <input type="password" required minLength={PASSWORD_MIN_LENGTH} value={password} onInput={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" />
        </label>
        {error && (
          <p class="inline-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={!token}>
          Create my account
        </button>
      </form>
    </div>
  );
}
