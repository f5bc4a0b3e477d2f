import { useEffect, useRef } from 'preact/hooks';

/**
 * A subscription is renewed after a reconnect, but the events sent while away are gone: what was
 * loaded and then kept live is loaded again, once the socket is back (and only if it had loaded).
 */
export function useReloadOnReconnect(connected: boolean, reload: () => void, loaded = true): void {
  const wasConnected = useRef(connected);
  useEffect(() => {
    if (connected && !wasConnected.current && loaded) reload();
    wasConnected.current = connected;
  }, [connected]);
}
