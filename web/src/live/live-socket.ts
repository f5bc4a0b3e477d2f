import { LIVE_NAMESPACE, type Ack, type LiveClientEvents, type LiveServerEvents, type Subscription } from '@cloudexport/shared';
import { io, type Socket } from 'socket.io-client';
import { useEffect, useState } from 'preact/hooks';
import { onSignedOut } from '../api/client.js';

type LiveSocket = Socket<LiveServerEvents, LiveClientEvents>;

let socket: LiveSocket | null = null;
/** Subscriptions to renew after a reconnect, with how many components hold each. */
const held = new Map<string, { sub: Subscription; count: number }>();

/** The one /live connection of this tab, opened with the session cookie (same origin). */
export function liveSocket(): LiveSocket {
  if (socket) return socket;
  socket = io(LIVE_NAMESPACE, { withCredentials: true, transports: ['websocket'], reconnectionDelayMax: 10_000 }) as LiveSocket;
  // the first connect sends the subscriptions buffered so far; a reconnect must renew them all
  let connectedBefore = false;
  socket.on('connect', () => {
    if (connectedBefore) for (const { sub } of held.values()) socket!.emit('subscribe', sub, () => {});
    connectedBefore = true;
  });
  return socket;
}

/**
 * Closes the connection when the session ends, by sign-out or a 401: the coordinator fixed who is
 * asking when the socket connected, so the next user in this tab must open their own.
 */
function closeLiveSocket(): void {
  socket?.close();
  socket = null;
  held.clear();
}
onSignedOut(closeLiveSocket);

function subscribe(sub: Subscription): Promise<Ack> {
  const key = JSON.stringify(sub);
  const entry = held.get(key);
  if (entry) {
    entry.count += 1;
    return Promise.resolve({ ok: true });
  }
  held.set(key, { sub, count: 1 });
  const s = liveSocket();
  return new Promise((resolve) => s.emit('subscribe', sub, resolve));
}

function unsubscribe(sub: Subscription): void {
  const key = JSON.stringify(sub);
  const entry = held.get(key);
  if (!entry) return;
  entry.count -= 1;
  if (entry.count > 0) return;
  held.delete(key);
  socket?.emit('unsubscribe', sub, () => {});
}

type Handlers = { [E in keyof LiveServerEvents]?: LiveServerEvents[E] };

/**
 * Subscribes while the component is mounted and calls `handlers` for the events it names. The
 * handlers object may change on every render: the latest one is called. Returns whether the
 * socket is connected, for a "live" indicator.
 */
export function useLive(sub: Subscription | null, handlers: Handlers): { connected: boolean; refused: string | null } {
  const [connected, setConnected] = useState(() => socket?.connected ?? false);
  const [refused, setRefused] = useState<string | null>(null);
  const latest = useLatest(handlers);
  const key = sub ? JSON.stringify(sub) : null;
  useEffect(() => {
    if (!sub) return;
    const s = liveSocket();
    const onConnect = () => setConnected(true);
    const onDisconnect = () => setConnected(false);
    s.on('connect', onConnect);
    s.on('disconnect', onDisconnect);
    setConnected(s.connected);
    const names = ['job', 'chunk', 'progress', 'warning', 'node', 'job:preview'] as const;
    const forwarders = names.map((name) => {
      const forward = (...args: unknown[]) => (latest.current[name] as ((...a: unknown[]) => void) | undefined)?.(...args);
      s.on(name, forward as never);
      return [name, forward] as const;
    });
    subscribe(sub).then((ack) => setRefused(ack.ok ? null : ack.message), () => {});
    return () => {
      s.off('connect', onConnect);
      s.off('disconnect', onDisconnect);
      for (const [name, forward] of forwarders) s.off(name, forward as never);
      unsubscribe(sub);
    };
  }, [key]);
  return { connected, refused };
}

function useLatest<T>(value: T): { current: T } {
  const [ref] = useState(() => ({ current: value }));
  ref.current = value;
  return ref;
}
