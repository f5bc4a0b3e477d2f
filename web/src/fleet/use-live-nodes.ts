import type { RenderNode } from '@cloudexport/shared';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Loaded } from '../components/use-load.js';
import { useLive } from '../live/live-socket.js';
import { useReloadOnReconnect } from '../live/use-reload-on-reconnect.js';
import { applyLive, LiveBatch } from './apply-live.js';

/** How long live events gather before the table renders them. */
const FLUSH_MS = 250;

export interface LiveNodes {
  state: Loaded<readonly RenderNode[]>;
  /** Loads again; the rows on screen stay until the answer is in. */
  reload(): void;
  /** Puts a node the server just answered with (after an action) in its row. */
  replace(node: RenderNode): void;
  /** Live over the socket now; false while it (re)connects or when the server refused the subscription. */
  live: boolean;
  /** The server's reason when it refused the fleet subscription (then the page refreshes on focus instead). */
  refused: string | null;
  /** A background reload failed: the rows shown may be old. */
  staleError: string | null;
}

/**
 * A list of nodes loaded once, then kept current by the fleet socket (`{ fleet: true }`: every
 * node for admins, their own for providers). Events are batched, every FLUSH_MS, into one
 * state update, so 1 000 nodes and 200 running jobs do not re-render the page per event.
 * After a reconnect the list is loaded again: events sent while away are gone. A list loaded in
 * pages shows its first page at once; the rest joins it as it comes.
 */
export function useLiveNodes(load: (onPage: (soFar: RenderNode[]) => void) => Promise<RenderNode[]>, deps: unknown[], accept: (node: RenderNode) => boolean = () => true): LiveNodes {
  const [state, setState] = useState<Loaded<readonly RenderNode[]>>({ status: 'loading' });
  const [staleError, setStaleError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const batch = useRef(new LiveBatch());
  /** Every event since the running load was sent, to lay over its answer; null when none runs. */
  const sinceLoad = useRef<LiveBatch | null>(null);
  const frame = useRef<number | null>(null);
  const ready = useRef(false);
  const acceptRef = useRef(accept);
  acceptRef.current = accept;

  const flush = useCallback(() => {
    frame.current = null;
    // before the first load, events wait in the batch and are applied to its answer
    if (!ready.current || batch.current.empty) return;
    const taken = batch.current;
    batch.current = new LiveBatch();
    setState((s) => (s.status === 'ready' ? { status: 'ready', data: applyLive(s.data, taken, acceptRef.current) } : s));
  }, []);
  const schedule = useCallback(() => {
    // at most one render per FLUSH_MS, on an animation frame: a person reads a table four times a
    // second at best, and 200 events a second rendered one by one would keep the page busy
    if (frame.current === null) frame.current = window.setTimeout(() => requestAnimationFrame(flush), FLUSH_MS);
  }, [flush]);
  useEffect(() => () => void (frame.current !== null && clearTimeout(frame.current)), []);

  const { connected, refused } = useLive(
    { fleet: true },
    {
      node: (node) => {
        batch.current.addNode(node);
        sinceLoad.current?.addNode(node);
        schedule();
      },
      progress: (p) => {
        batch.current.addProgress(p);
        sinceLoad.current?.addProgress(p);
        schedule();
      },
    },
  );

  useEffect(() => {
    let current = true;
    // events from before this request are older than its answer; later ones are laid over it
    const since = new LiveBatch();
    sinceLoad.current = since;
    const onPage = (soFar: RenderNode[]) => {
      if (!current || ready.current) return;
      // the first rows on screen now; `since` stays open to lay over the whole list at the end
      ready.current = true;
      setState({ status: 'ready', data: applyLive(soFar, since, acceptRef.current) });
    };
    load(onPage).then(
      (nodes) => {
        if (!current) return;
        sinceLoad.current = null;
        batch.current = new LiveBatch();
        ready.current = true;
        setStaleError(null);
        setState({ status: 'ready', data: applyLive(nodes, since, acceptRef.current) });
      },
      (error: unknown) => {
        if (!current) return;
        sinceLoad.current = null;
        if (ready.current) setStaleError(error instanceof Error ? error.message : String(error));
        else setState({ status: 'error', error });
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  const replace = useCallback(
    (node: RenderNode) => {
      batch.current.addNode(node);
      sinceLoad.current?.addNode(node);
      flush();
    },
    [flush],
  );

  useReloadOnReconnect(connected, reload, ready.current);

  // without live events (the server refused them), catch up whenever the person comes back
  useEffect(() => {
    if (!refused) return;
    const onFocus = () => document.visibilityState === 'visible' && reload();
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onFocus);
    return () => {
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onFocus);
    };
  }, [refused]);

  return { state, reload, replace, live: connected && !refused, refused, staleError };
}
