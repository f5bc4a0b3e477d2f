// Following a job until it ends: live over Socket.IO (/live, per-frame progress, warnings), with
// polling when the socket cannot connect or drops, and a slow poll besides in case an event is lost.
import {
  chunkSchema,
  isTerminalJobState,
  jobSchema,
  LIVE_NAMESPACE,
  type Ack,
  type FrameProgress,
  type Job,
  type LiveClientEvents,
  type LiveServerEvents,
  type LiveWarning,
} from '@cloudexport/shared';
import { io, type Socket } from 'socket.io-client';
import { itemsOf, type CoordinatorClient } from '../api/coordinator-client.js';

export interface FollowOptions {
  client: CoordinatorClient;
  apiKey: string;
  jobId: string;
  onJob?: (job: Job) => void;
  onProgress?: (framesDone: number, framesTotal: number) => void;
  /** Each aerender warning once. */
  onWarning?: (message: string, chunkId: string) => void;
  /** How often to poll without the live connection; default 2 s. */
  pollMs?: number;
  /** How often to poll with it, in case an event was lost; default 15 s. */
  livePollMs?: number;
  /** Default true; false polls only. */
  live?: boolean;
  signal?: AbortSignal;
}

/** Resolves with the job in its final state (COMPLETED, PERMANENTLY_FAILED or CANCELLED). */
export async function followJob(options: FollowOptions): Promise<Job> {
  const { client, jobId, signal } = options;
  const seenWarnings = new Set<string>();
  const warn = (chunkId: string, message: string) => {
    const key = `${chunkId}\u0000${message}`;
    if (seenWarnings.has(key)) return;
    seenWarnings.add(key);
    options.onWarning?.(message, chunkId);
  };
  let latest: Job | undefined;
  let done: (job: Job) => void = () => {};
  const finished = new Promise<Job>((resolve) => (done = resolve));
  const take = (job: Job) => {
    if (job.id !== jobId) return;
    if (latest && Date.parse(job.updatedAt) < Date.parse(latest.updatedAt)) return; // an older state arriving late
    latest = job;
    options.onJob?.(job);
    options.onProgress?.(job.framesDone, job.framesTotal);
    if (isTerminalJobState(job.state)) done(job);
  };

  let live = false;
  let socket: Socket<LiveServerEvents, LiveClientEvents> | undefined;
  if (options.live !== false) {
    socket = io(`${client.baseUrl}${LIVE_NAMESPACE}`, { auth: { key: options.apiKey }, transports: ['websocket'], reconnectionDelayMax: 10_000 });
    socket.on('connect', () => {
      socket!.emit('subscribe', { jobId }, (ack: Ack) => {
        live = ack.ok;
        // what happened before the subscription is read once
        if (live) void poll(false);
      });
    });
    socket.on('disconnect', () => (live = false));
    socket.on('connect_error', () => (live = false));
    socket.on('job', (payload) => {
      const parsed = jobSchema.safeParse(payload);
      if (parsed.success) take(parsed.data);
    });
    socket.on('progress', (p: FrameProgress) => {
      if (p?.jobId === jobId && Number.isInteger(p.jobFramesDone) && Number.isInteger(p.framesTotal)) options.onProgress?.(p.jobFramesDone, p.framesTotal);
    });
    socket.on('warning', (w: LiveWarning) => {
      if (w?.jobId === jobId && typeof w.message === 'string') warn(String(w.chunkId), w.message);
    });
  }

  let fail: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  async function poll(withChunks: boolean): Promise<void> {
    try {
      take(await client.request('GET', `/jobs/${jobId}`, { schema: jobSchema, ...(signal ? { signal } : {}) }));
      if (withChunks) await pollWarnings();
    } catch (err) {
      if (signal?.aborted) return;
      // a failed poll is tried again on the next tick; a job or key the coordinator refuses is final
      const status = (err as { status?: number }).status;
      if (status === 401 || status === 403 || status === 404) fail(err as Error);
    }
  }
  async function pollWarnings(): Promise<void> {
    const { items } = await client.request('GET', `/jobs/${jobId}/chunks`, { schema: itemsOf(chunkSchema), ...(signal ? { signal } : {}) });
    for (const chunk of items) for (const w of chunk.warnings) warn(chunk.id, w);
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastPoll = 0;
  const tick = async () => {
    const interval = live ? (options.livePollMs ?? 15_000) : (options.pollMs ?? 2_000);
    if (Date.now() - lastPoll >= interval) {
      lastPoll = Date.now();
      await poll(!live);
    }
    if (!stopped) timer = setTimeout(() => void tick(), 250);
  };
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  try {
    void tick();
    const job = await Promise.race([finished, failed, aborted]);
    // warnings the live feed may have missed
    await pollWarnings().catch(() => {});
    return job;
  } finally {
    stopped = true;
    clearTimeout(timer);
    socket?.close();
  }
}
