import type { User } from '@cloudexport/shared';
import { useEffect, useState } from 'preact/hooks';
import { callAll, onSignedOut } from './client.js';

/** Every user, by id and as a list, as loaded once per page load (admins only: listUsers is theirs). */
export interface UserDirectory {
  byId: ReadonlyMap<string, User>;
  list: readonly User[];
  /** Why the users could not be loaded, for people; null while loading and once loaded. */
  error: string | null;
  loading: boolean;
}

type Ready = { byId: ReadonlyMap<string, User>; list: readonly User[] };

const EMPTY: UserDirectory = { byId: new Map(), list: [], error: null, loading: false };
const LOADING: UserDirectory = { ...EMPTY, loading: true };

/** The one load of this page, shared by every caller; dropped when it fails so a later mount tries again. */
let pending: Promise<Ready> | null = null;
/** The loaded directory, so a component mounted after the load (another page) renders with it at once. */
let loaded: Ready | null = null;

// a session that ended takes its view of the users with it
onSignedOut(() => {
  pending = null;
  loaded = null;
});

function loadUsers(): Promise<Ready> {
  if (!pending) {
    const p: Promise<Ready> = callAll<'listUsers', User>('listUsers', { query: {} }).then((users) => {
      const ready: Ready = { byId: new Map(users.map((u) => [u.id, u])), list: users };
      if (pending === p) loaded = ready;
      return ready;
    });
    p.catch(() => {
      if (pending === p) pending = null;
    });
    pending = p;
  }
  return pending;
}

/**
 * Every user, loaded once per page load and shared by the components that ask. Only for admins:
 * pass `enabled = false` where the signed-in user is not one, and nothing is requested.
 */
export function useUserDirectory(enabled = true): UserDirectory {
  const [dir, setDir] = useState<UserDirectory>(() => (!enabled ? EMPTY : loaded ? { ...loaded, error: null, loading: false } : LOADING));
  useEffect(() => {
    if (!enabled) {
      setDir(EMPTY);
      return;
    }
    let current = true;
    if (!loaded) setDir((d) => (d.loading ? d : LOADING));
    loadUsers().then(
      (ready) => current && setDir((d) => (d.byId === ready.byId ? d : { ...ready, error: null, loading: false })),
      (err: unknown) => current && setDir({ ...EMPTY, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      current = false;
    };
  }, [enabled]);
  return dir;
}
