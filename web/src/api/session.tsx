import type { Session, User } from '@cloudexport/shared';
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { announceSignedOut, ApiCallError, call, onSignedOut, setCsrfToken } from './client.js';

export interface SessionState {
  /** undefined while the first check runs; null when signed out. */
  user: User | null | undefined;
  signIn(email: string, password: string): Promise<void>;
  /** After accepting an invite: the server already set the cookie. */
  adopt(session: Session): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const adopt = (session: Session) => {
    setCsrfToken(session.csrfToken);
    setUser(session.user);
  };
  useEffect(() => {
    call('getCurrentSession')
      .then(adopt)
      .catch((err: unknown) => {
        if (!(err instanceof ApiCallError) || err.status !== 401) console.warn('session check failed', err);
        setUser(null);
      });
    return onSignedOut(() => {
      setCsrfToken(null);
      setUser(null);
    });
  }, []);
  const state: SessionState = {
    user,
    adopt,
    async signIn(email, password) {
      adopt(await call('createSession', { body: { email, password } }));
    },
    async signOut() {
      await call('deleteCurrentSession').catch(() => undefined);
      announceSignedOut();
    },
  };
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The signed-in user; only for pages behind the sign-in gate. */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error('useUser on a page shown signed out');
  return user;
}
