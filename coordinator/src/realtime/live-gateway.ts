import { AckCode, LIVE_NAMESPACE, liveAuthSchema, Role, subscriptionSchema, type Ack, type Subscription, type LiveClientEvents, type LiveServerEvents } from '@cloudexport/shared';
import type { Server, Socket } from 'socket.io';
import type { Deps } from '../api/deps.js';
import { asOwnerSees } from '../api/node-figures.js';
import { isAdmin, type Principal } from '../api/principal.js';
import { authenticate } from '../auth/authenticate.js';
import { sessionTokenFromCookies } from '../auth/session-cookie.js';
import { authenticateSession } from '../auth/sessions.js';
import { JobEntity, NodeEntity } from '../db/entities/index.js';
import { framesDone } from '../fleet/job-progress.js';
import type { ChunkProgressEvent } from './event-bus.js';

type LiveSocket = Socket<LiveClientEvents, LiveServerEvents, Record<string, never>, { principal: Principal }>;

const jobRoom = (id: string) => `job:${id}`;
const FLEET = 'fleet';
/** A provider's `{ fleet: true }`: their own nodes only. */
const ownerRoom = (userId: string) => `owner:${userId}`;
/** `{ myJobs: true }`: every job of one user's, those submitted later too. */
const jobsOfRoom = (userId: string) => `jobs-of:${userId}`;
const OWNER_ROOMS = 'owner:';
const JOBS_OF_ROOMS = 'jobs-of:';
/** A live client that has not acknowledged a preview this long is sent the next anyway. */
const PREVIEW_ACK_TIMEOUT_MS = 10_000;

/**
 * The /live namespace: artists follow their jobs, providers their nodes, admins any job and the
 * fleet (the subscriptions are described at LIVE_NAMESPACE). A client
 * authenticates with its API key (or the console's session cookie) and subscribes; state
 * changes and per-frame progress follow, and for a job, its latest preview frame (at once on
 * subscribing, then as nodes send them).
 */
export function attachLiveGateway(io: Server, deps: Deps): void {
  const nsp = io.of(LIVE_NAMESPACE);
  nsp.use(async (socket, next) => {
    try {
      (socket as LiveSocket).data.principal = await authenticateHandshake(deps, socket.handshake);
      next();
    } catch (err) {
      next(new Error(err instanceof Error ? err.message : 'Unauthorized.'));
    }
  });

  // previews go one at a time per client, each after the last was acknowledged: see PreviewOutbox
  const previews = deps.previews;
  const outboxOf = (socket: LiveSocket) =>
    previews.outbox(socket.id, (preview, done) => socket.timeout(PREVIEW_ACK_TIMEOUT_MS).emit('job:preview', preview, () => done()));

  nsp.on('connection', (raw) => {
    const socket = raw as LiveSocket;
    const principal = socket.data.principal;
    socket.on('disconnect', () => previews.closeOutbox(socket.id));
    socket.on('subscribe', async (sub, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const parsed = subscriptionSchema.safeParse(sub);
      if (!parsed.success) return reply({ ok: false, code: AckCode.invalid, message: 'Subscribe to { jobId }, { myJobs: true } or { fleet: true }.' });
      const answer = await allowed(deps, principal, parsed.data);
      if (answer.ok) await socket.join(roomOf(principal, parsed.data));
      reply(answer);
      const latest = answer.ok && 'jobId' in parsed.data ? previews.latest(parsed.data.jobId) : null;
      if (latest && socket.connected) outboxOf(socket).offer(latest.preview);
    });
    socket.on('unsubscribe', async (sub, ack) => {
      const parsed = subscriptionSchema.safeParse(sub);
      if (parsed.success) await socket.leave(roomOf(principal, parsed.data));
      if (parsed.success && 'jobId' in parsed.data && socket.connected) outboxOf(socket).forget(parsed.data.jobId);
      if (typeof ack === 'function') ack({ ok: true });
    });
  });

  // Socket.IO encodes a broadcast before it looks at the rooms: skip the ones nobody is in
  const watched = (rooms: string[]) => rooms.some((r) => (nsp.adapter.rooms.get(r)?.size ?? 0) > 0);
  const anyWatched = (prefix: string) => {
    for (const [room, sockets] of nsp.adapter.rooms) if (sockets.size > 0 && room.startsWith(prefix)) return true;
    return false;
  };
  const send = <E extends keyof LiveServerEvents>(rooms: string[], event: E, ...payload: Parameters<LiveServerEvents[E]>) => {
    if (watched(rooms)) nsp.to(rooms).emit(event, ...payload);
  };
  // whose a job and a node are never changes: learnt from their events or one lookup, so a progress
  // report nobody who may see it watches costs no query (the fleet reports a frame per node)
  const jobOwner = new OwnerCache();
  const nodeOwner = new OwnerCache();
  const fullRooms = (jobId: string) => {
    const owner = jobOwner.get(jobId);
    return [jobRoom(jobId), FLEET, ...(owner ? [jobsOfRoom(owner)] : [])];
  };
  /** Who may get this report: the job's watchers (full), the rendering node's owner (counts only); unknown owners count as maybe. */
  const audience = (p: ChunkProgressEvent) => {
    const nodeOwnerId = nodeOwner.get(p.nodeId);
    return {
      full: watched(fullRooms(p.jobId)) || (!jobOwner.has(p.jobId) && anyWatched(JOBS_OF_ROOMS)),
      owner: nodeOwnerId ? watched([ownerRoom(nodeOwnerId)]) : anyWatched(OWNER_ROOMS),
    };
  };
  deps.bus.on('job', (job) => {
    jobOwner.set(job.id, job.ownerId);
    send([jobRoom(job.id), FLEET, jobsOfRoom(job.ownerId)], 'job', job);
  });
  deps.bus.on('chunk', (chunk) => send([jobRoom(chunk.jobId)], 'chunk', chunk));
  // the job's total is summed only for jobs someone watches, at most every PROGRESS_MS per job
  const pending = new Map<string, ChunkProgressEvent>();
  deps.bus.on('chunkProgress', (p) => {
    const who = audience(p);
    if (!who.full && !who.owner) return;
    const wasPending = pending.has(p.chunkId);
    pending.set(p.chunkId, p);
    if (!wasPending) void flush(p.chunkId);
  });
  async function flush(chunkId: string) {
    try {
      for (;;) {
        const p = pending.get(chunkId)!;
        const who = audience(p);
        const em = deps.orm.em.fork();
        const [frames, job, node] = await Promise.all([
          who.full ? framesDone(em, [p.jobId]) : null,
          who.full ? em.findOne(JobEntity, { id: p.jobId }, { fields: ['framesTotal', 'ownerId'] }) : null,
          who.owner && !nodeOwner.has(p.nodeId) ? em.findOne(NodeEntity, { id: p.nodeId }, { fields: ['ownerId'] }) : null,
        ]);
        if (job) jobOwner.set(p.jobId, job.ownerId);
        if (node) nodeOwner.set(p.nodeId, node.ownerId);
        // a newer report came in while summing: sum again, so the total matches the chunk's count
        if (pending.get(chunkId) !== p) continue;
        const progress = { jobId: p.jobId, chunkId: p.chunkId, chunkFramesDone: p.chunkFramesDone, lastFrame: p.lastFrame };
        const full = fullRooms(p.jobId);
        if (job) send(full, 'progress', { ...progress, jobFramesDone: frames?.get(p.jobId) ?? 0, framesTotal: job.framesTotal });
        // the node's owner sees their node's chunk move on, not how far the job is (nor twice)
        const ownerId = nodeOwner.get(p.nodeId);
        if (ownerId && watched([ownerRoom(ownerId)])) nsp.to(ownerRoom(ownerId)).except(full).emit('progress', { ...progress, jobFramesDone: 0, framesTotal: 0 });
        return;
      }
    } catch (err) {
      deps.log.warn({ err, chunkId }, 'live progress failed');
    } finally {
      pending.delete(chunkId);
    }
  }
  deps.bus.on('warning', (w) => send([jobRoom(w.jobId)], 'warning', w));
  deps.bus.on('node', (node) => {
    nodeOwner.set(node.id, node.ownerId);
    send([FLEET], 'node', node);
    send([ownerRoom(node.ownerId)], 'node', asOwnerSees(node));
  });
  // only this coordinator's sockets: a preview lives where its node is connected (see PreviewHub)
  previews.onPreview((preview) => {
    for (const id of nsp.adapter.rooms.get(jobRoom(preview.jobId)) ?? []) {
      const socket = nsp.sockets.get(id) as LiveSocket | undefined;
      if (socket) outboxOf(socket).offer(preview);
    }
  });
}

/**
 * An API key as the auth `{ key }`; without auth, the web console's session cookie, which the
 * browser sends with the handshake. A cookie is taken only from a page of this coordinator's own
 * origin: another site's page could open the socket with it too (cross-site WebSocket hijacking).
 */
async function authenticateHandshake(deps: Deps, handshake: Socket['handshake']): Promise<Principal> {
  const auth = handshake.auth as Record<string, unknown> | undefined;
  const token = sessionTokenFromCookies(handshake.headers.cookie);
  if ((auth && Object.keys(auth).length > 0) || !token) {
    const parsed = liveAuthSchema.safeParse(auth);
    if (!parsed.success) throw new Error('Send your API key as the Socket.IO auth { key }, or connect from the signed-in web console.');
    return authenticate(deps.orm.em.fork(), `Bearer ${parsed.data.key}`, deps.clock.now());
  }
  if (!sameOrigin(handshake.headers.origin, handshake.headers.host, deps.config.publicUrl)) {
    throw new Error('A session cookie is accepted only from the coordinator’s own web console (the Origin does not match).');
  }
  return authenticateSession(deps.orm.em.fork(), token, deps.clock.now());
}

/**
 * Browsers always send Origin on a WebSocket handshake; without one the client is not a browser
 * page, so no other site is replaying the user's cookie through it.
 */
function sameOrigin(origin: string | undefined, host: string | undefined, publicUrl: string | null): boolean {
  if (!origin) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (publicUrl && url.origin === new URL(publicUrl).origin) return true;
  return !!host && url.host === host;
}

function roomOf(principal: Principal, sub: Subscription): string {
  if ('jobId' in sub) return jobRoom(sub.jobId);
  if ('myJobs' in sub) return jobsOfRoom(principal.userId);
  return isAdmin(principal) ? FLEET : ownerRoom(principal.userId);
}

/** Admins watch the whole fleet, providers their own nodes, everyone their own jobs. */
async function allowed(deps: Deps, principal: Principal, sub: Subscription): Promise<Ack> {
  if ('myJobs' in sub) return { ok: true };
  if ('fleet' in sub) {
    if (isAdmin(principal) || principal.role === Role.provider) return { ok: true };
    return { ok: false, code: AckCode.notYours, message: 'Only admins (the whole fleet) and providers (their own nodes) may watch nodes.' };
  }
  const job = await deps.orm.em.fork().findOne(JobEntity, { id: sub.jobId }, { fields: ['ownerId'] });
  if (!job || (job.ownerId !== principal.userId && !isAdmin(principal))) {
    return { ok: false, code: AckCode.notYours, message: `No job ${sub.jobId} visible to you.` };
  }
  return { ok: true };
}

/** id → owner id, for ids seen lately: forgotten wholesale past a bound (a lookup refills it). */
class OwnerCache {
  private static readonly MAX = 50_000;
  private readonly owners = new Map<string, string>();

  get(id: string): string | undefined {
    return this.owners.get(id);
  }

  has(id: string): boolean {
    return this.owners.has(id);
  }

  set(id: string, ownerId: string): void {
    if (this.owners.size >= OwnerCache.MAX && !this.owners.has(id)) this.owners.clear();
    this.owners.set(id, ownerId);
  }
}
