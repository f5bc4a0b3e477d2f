import { LockMode } from '@mikro-orm/core';
import {
  AckCode,
  agentAuthSchema,
  AGENT_NAMESPACE,
  bundleOpenSchema,
  chunkDoneSchema,
  chunkFailedSchema,
  chunkPreviewSchema,
  chunkProgressSchema,
  chunkWarningSchema,
  heartbeatSchema,
  helloSchema,
  assemblyOpenSchema,
  HANDSHAKE_MAX_SKEW_MS,
  NodeState,
  outputBeginSchema,
  type Ack,
  type AgentToCoordinatorEvents,
  type CoordinatorToAgentEvents,
} from '@cloudexport/shared';
import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import type { Deps } from '../api/deps.js';
import { recordAudit } from '../audit/audit-log.js';
import { openAssemblyTicket } from '../bundles/assembly-ticket.js';
import { openBundleTicket } from '../bundles/bundle-ticket.js';
import { beginOutputs } from '../bundles/output-uploads.js';
import { AgentNonceEntity, ChunkEntity, NodeEntity } from '../db/entities/index.js';
import { classifyMachine } from '../fleet/enrollment.js';
import { acceptPreview } from './preview-hub.js';
import { verifyHandshake } from './verify-handshake.js';

type AgentSocket = Socket<AgentToCoordinatorEvents, CoordinatorToAgentEvents, Record<string, never>, { nodeId: string }>;

/** The agents connected to this coordinator, by node id. */
export class AgentRegistry {
  readonly sockets = new Map<string, AgentSocket>();
}

/**
 * The /agents namespace: each connection proves the node's signing key (signed timestamp and a
 * never-reused nonce), then every message is validated with the shared schema and applied
 * through the chunk lifecycle, which fences stale epochs.
 */
export function attachAgentGateway(io: Server, deps: Deps, registry: AgentRegistry): { close(): void } {
  const nsp = io.of(AGENT_NAMESPACE);
  // a coordinator shutting down is not its agents going away: they reconnect to the next one
  let closing = false;
  const graceTimers = new Set<NodeJS.Timeout>();
  nsp.use(async (socket, next) => {
    const refusal = await admit(socket as AgentSocket, deps);
    if (refusal) {
      deps.log.warn({ ip: socket.handshake.address, reason: refusal }, 'agent handshake refused');
      const err = new Error(refusal) as Error & { data?: unknown };
      err.data = { code: 'handshake_refused' };
      return next(err);
    }
    next();
  });

  nsp.on('connection', (raw) => {
    const socket = raw as AgentSocket;
    const nodeId = socket.data.nodeId;
    const previous = registry.sockets.get(nodeId);
    if (previous && previous.id !== socket.id) previous.disconnect(true);
    registry.sockets.set(nodeId, socket);
    const log = deps.log.child({ nodeId });
    log.info('agent connected');

    on(socket, 'hello', helloSchema, async (hello) => {
      const now = deps.clock.now();
      const em = deps.orm.em.fork();
      const { node, cancel } = await em.transactional(async (tx) => {
        const n = await tx.findOneOrFail(NodeEntity, { id: nodeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const { tierId, vramMb } = await classifyMachine(tx, hello.machine);
        Object.assign(n, {
          gpus: hello.machine.gpus,
          aeInstalls: hello.machine.aeInstalls,
          tierId,
          vramMb,
          agentVersion: hello.machine.agentVersion,
          cachedBundles: hello.cachedBundles,
          hardware: { cpu: hello.machine.cpu, ramMb: hello.machine.ramMb, freeDiskMb: hello.machine.freeDiskMb, os: hello.machine.os, ffmpeg: hello.machine.ffmpeg },
          lastHeartbeatAt: now,
          updatedAt: now,
        });
        // what the agent still runs and the coordinator still gives it, it keeps; the rest it drops
        const held = await tx.find(ChunkEntity, { nodeId, state: { $in: ['ASSIGNED', 'DOWNLOADING', 'RENDERING', 'UPLOADING'] } });
        const keep = new Set(held.filter((c) => hello.running.some((r) => r.chunkId === c.id && r.epoch === c.epoch)).map((c) => c.id));
        const drop = hello.running.filter((r) => !keep.has(r.chunkId)).map((r) => r.chunkId);
        if (n.state === NodeState.offline || n.state === NodeState.starting || n.state === NodeState.busy || n.state === NodeState.online) {
          n.state = keep.size > 0 ? NodeState.busy : NodeState.online;
        }
        n.currentChunkId = [...keep][0] ?? null;
        for (const c of held) if (!keep.has(c.id)) c.leaseExpiresAt = now; // the sweeper requeues them now
        for (const c of held) if (keep.has(c.id)) c.leaseExpiresAt = new Date(now.getTime() + deps.timing.leaseMs);
        recordAudit(tx, now, { kind: 'node', id: nodeId, ip: socket.handshake.address }, { action: 'node.connect', targetType: 'node', targetId: nodeId, details: { tierId, resumed: [...keep] } });
        return { node: n, cancel: drop };
      });
      // with its current chunk and earnings, before the dispatcher looks for work for it
      void deps.lifecycle.publishNodes([node], now).then(() => deps.bus.emit('work'));
      return { nodeId, state: node.state, tierId: node.tierId ?? null, heartbeatIntervalMs: deps.timing.heartbeatIntervalMs, leaseMs: deps.timing.leaseMs, cancel };
    });

    on(socket, 'heartbeat', heartbeatSchema, (beat) => deps.lifecycle.heartbeat(nodeId, beat.running, beat.cachedBundles));
    on(socket, 'chunk:progress', chunkProgressSchema, (p) => deps.lifecycle.progress(nodeId, p));
    on(socket, 'chunk:warning', chunkWarningSchema, (w) => deps.lifecycle.warning(nodeId, w));
    on(socket, 'chunk:done', chunkDoneSchema, (d) => deps.lifecycle.done(nodeId, d));
    on(socket, 'chunk:failed', chunkFailedSchema, (f) => deps.lifecycle.failed(nodeId, f));
    on(socket, 'chunk:preview', chunkPreviewSchema, (p) => acceptPreview(deps, nodeId, p));
    on(socket, 'bundle:open', bundleOpenSchema, (o) => openBundleTicket(deps, nodeId, o, deps.clock.now()));
    on(socket, 'output:begin', outputBeginSchema, (b) => beginOutputs(deps, nodeId, b, deps.clock.now()));
    on(socket, 'assembly:open', assemblyOpenSchema, (o) => openAssemblyTicket(deps, nodeId, o, deps.clock.now()));

    socket.on('disconnect', (reason) => {
      if (registry.sockets.get(nodeId) === socket) registry.sockets.delete(nodeId);
      log.info({ reason }, 'agent disconnected');
      if (closing) return;
      // a short grace rides out a network blip; after it, the node is offline and its chunk lapses
      const timer = setTimeout(() => {
        graceTimers.delete(timer);
        // a failure here (the database away, the coordinator stopping) must not crash the process: the lease sweeper takes the chunk back anyway
        if (!closing) markOffline(deps, registry, nodeId).catch((err: Error) => log.warn({ err: err.message }, 'could not mark the node offline; its lease lapses instead'));
      }, deps.timing.disconnectGraceMs);
      graceTimers.add(timer);
    });
  });

  return {
    close() {
      closing = true;
      for (const t of graceTimers) clearTimeout(t);
      graceTimers.clear();
    },
  };
}

async function markOffline(deps: Deps, registry: AgentRegistry, nodeId: string): Promise<void> {
  if (registry.sockets.has(nodeId)) return;
  const now = deps.clock.now();
  const em = deps.orm.em.fork();
  const node = await em.findOne(NodeEntity, { id: nodeId });
  if (!node) return;
  if (node.state === NodeState.online || node.state === NodeState.busy || node.state === NodeState.starting) node.state = NodeState.offline;
  node.updatedAt = now;
  recordAudit(em, now, { kind: 'node', id: nodeId }, { action: 'node.disconnect', targetType: 'node', targetId: nodeId });
  await em.flush();
  await deps.lifecycle.requeue({ nodeId }, 'lost', 'the node disconnected');
  await deps.lifecycle.publishNodes([node], now, { disconnected: true });
}

async function admit(socket: AgentSocket, deps: Deps): Promise<string | null> {
  const parsed = agentAuthSchema.safeParse(socket.handshake.auth);
  if (!parsed.success) return 'Malformed handshake: expected { nodeId, timestamp, nonce, signature }. Update the agent.';
  const auth = parsed.data;
  const now = deps.clock.now();
  const em = deps.orm.em.fork();
  const node = await em.findOne(NodeEntity, { id: auth.nodeId });
  if (!node) return 'Unknown node: enroll this machine again (cloudexport-agent enroll).';
  if (node.revokedAt) return 'This node was revoked; enroll the machine again with a new token.';
  const bad = verifyHandshake(auth, node.signingPublicKey, now);
  if (bad) return bad;
  try {
    // the primary key makes a replayed nonce fail here, on this coordinator or any other
    await em.insert(AgentNonceEntity, { nodeId: auth.nodeId, nonce: auth.nonce, seenAt: now });
  } catch {
    return 'Replayed handshake: this nonce was already used.';
  }
  await em.nativeDelete(AgentNonceEntity, { seenAt: { $lt: new Date(now.getTime() - 2 * HANDSHAKE_MAX_SKEW_MS) } });
  socket.data.nodeId = node.id;
  return null;
}

/** Validates the payload, runs the handler, and always answers the ack — with a reason when refusing. */
function on<E extends keyof AgentToCoordinatorEvents, S extends z.ZodType>(
  socket: AgentSocket,
  event: E,
  schema: S,
  handle: (payload: z.infer<S>) => Promise<unknown>,
): void {
  socket.on(event, (async (payload: unknown, ack?: (answer: unknown) => void) => {
    const reply = typeof ack === 'function' ? ack : () => {};
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return reply({ ok: false, code: AckCode.invalid, message: `Invalid ${event}: ${issue?.path.join('.')} ${issue?.message}` } satisfies Ack);
    }
    try {
      reply(await handle(parsed.data));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      reply({ ok: false, code: err instanceof Error && err.name === 'IllegalTransitionError' ? AckCode.invalid : AckCode.internal, message } satisfies Ack);
    }
  }) as never);
}
