import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import {
  AckCode,
  assertChunkTransition,
  ChunkState,
  chunkStateAfterFailure,
  isActiveChunkState,
  NodeState,
  type Ack,
  type ChunkAssignment,
  type ChunkDone,
  type ChunkFailed,
  type ChunkProgress,
  type ChunkWarning,
  type FailureReason,
} from '@cloudexport/shared';
import type { Logger } from 'pino';
import { chunkDto, jobDto, nodeDto } from '../api/dto.js';
import { recordAudit } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { ChunkAttemptEntity, ChunkEntity, JobEntity, NodeEntity, NodeJobBlockEntity, TierPriceEntity, type AttemptOutcome, type ChunkRow, type NodeRow } from '../db/entities/index.js';
import type { EventBus } from '../realtime/event-bus.js';
import { claimChunk } from './claim-chunk.js';
import { BLOCK_AFTER_JOB_FAILURES, QUARANTINE_AFTER_FAILURES, type FleetTiming } from './fleet-timing.js';
import { syncJobState } from './job-progress.js';
import { endAttempt, releaseNode } from './release-hold.js';

export interface LifecycleDeps {
  orm: MikroORM;
  clock: Clock;
  log: Logger;
  bus: EventBus;
  timing: FleetTiming;
}

const FORWARD: ChunkState[] = [ChunkState.ASSIGNED, ChunkState.DOWNLOADING, ChunkState.RENDERING, ChunkState.UPLOADING, ChunkState.DONE];

/**
 * Moves a chunk forward to `target` one legal step at a time: coalesced reports may skip
 * steps (RENDERING straight to done), but never go back (RENDERING → DOWNLOADING throws).
 */
function advance(chunk: ChunkRow, target: ChunkState): void {
  const from = FORWARD.indexOf(chunk.state);
  const to = FORWARD.indexOf(target);
  if (from < 0 || to <= from) assertChunkTransition(chunk.state, target);
  for (let i = from + 1; i <= to; i++) {
    assertChunkTransition(chunk.state, FORWARD[i]!);
    chunk.state = FORWARD[i]!;
  }
}

type Refusal = Extract<Ack, { ok: false }>;
const stale = (message: string): Refusal => ({ ok: false, code: AckCode.staleEpoch, message });
const system = { kind: 'system' as const, id: null };

/**
 * Every change to a chunk once it is handed out. Each runs in one transaction that locks the
 * chunk, checks the fencing token (the node holds it under this epoch), moves it through the
 * shared transition table, refreshes the job, and publishes what changed after commit.
 */
export class ChunkLifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  /** Claims the next chunk this node may render and leases it to the node. */
  async assignNext(nodeId: string): Promise<ChunkAssignment | null> {
    const now = this.deps.clock.now();
    const result = await this.deps.orm.em.fork().transactional(async (tx) => {
      const node = await tx.findOne(NodeEntity, { id: nodeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!node || node.state !== NodeState.online || node.currentChunkId || node.revokedAt || !node.tierId) return null;
      const tier = await tx.findOne(TierPriceEntity, { id: node.tierId });
      if (!tier) return null;
      const aeMajor = Math.max(0, ...node.aeInstalls.map((a) => a.major));
      const chunkId = await claimChunk(tx, node, tier.pricePerMinuteMicros, aeMajor);
      if (!chunkId) return null;
      const chunk = await tx.findOneOrFail(ChunkEntity, { id: chunkId });
      assertChunkTransition(chunk.state, ChunkState.ASSIGNED);
      chunk.state = ChunkState.ASSIGNED;
      chunk.epoch += 1;
      chunk.nodeId = node.id;
      chunk.framesDone = 0;
      chunk.leaseExpiresAt = new Date(now.getTime() + this.deps.timing.leaseMs);
      chunk.updatedAt = now;
      node.currentChunkId = chunk.id;
      node.state = NodeState.busy;
      node.updatedAt = now;
      tx.create(ChunkAttemptEntity, { id: randomUUID(), chunkId: chunk.id, jobId: chunk.jobId, nodeId: node.id, epoch: chunk.epoch, outcome: 'running', reason: null, message: null, startedAt: now, endedAt: null });
      const job = await tx.findOneOrFail(JobEntity, { id: chunk.jobId });
      return { chunk, node, job };
    });
    if (!result) return null;
    const { chunk, node, job } = result;
    await this.afterCommit(chunk, node, now);
    return {
      chunkId: chunk.id,
      epoch: chunk.epoch,
      jobId: job.id,
      index: chunk.index,
      comp: job.comp.name,
      fps: job.comp.fps,
      frameStart: chunk.frameStart,
      frameEnd: chunk.frameEnd,
      bundle: job.bundle ?? null,
      leaseMs: this.deps.timing.leaseMs,
    };
  }

  async progress(nodeId: string, p: ChunkProgress): Promise<Ack> {
    return this.fenced(nodeId, p, async (_tx, chunk, now) => {
      if (chunk.state !== p.state) advance(chunk, p.state);
      chunk.framesDone = Math.min(p.framesDone, chunk.frameEnd - chunk.frameStart + 1);
      chunk.leaseExpiresAt = new Date(now.getTime() + this.deps.timing.leaseMs);
      const event = { jobId: chunk.jobId, chunkId: chunk.id, chunkFramesDone: chunk.framesDone, lastFrame: p.lastFrame };
      return { node: null, after: () => this.deps.bus.emit('chunkProgress', event) };
    });
  }

  async warning(nodeId: string, w: ChunkWarning): Promise<Ack> {
    return this.fenced(nodeId, w, async (_tx, chunk) => {
      if (!chunk.warnings.includes(w.message) && chunk.warnings.length < 50) chunk.warnings = [...chunk.warnings, w.message];
      const event = { jobId: chunk.jobId, chunkId: chunk.id, nodeId, message: w.message };
      return { node: null, after: () => this.deps.bus.emit('warning', event) };
    });
  }

  async done(nodeId: string, d: ChunkDone): Promise<Ack> {
    return this.fenced(nodeId, d, async (tx, chunk, now) => {
      const expected = chunk.frameEnd - chunk.frameStart + 1;
      if (d.frames !== expected) return this.applyFailure(tx, nodeId, chunk, 'missing_frames', `Reported ${d.frames} frames for a chunk of ${expected}.`, now);
      advance(chunk, ChunkState.DONE);
      chunk.framesDone = expected;
      chunk.leaseExpiresAt = null;
      chunk.error = null;
      await endAttempt(tx, chunk, 'done', null, null, now);
      const node = await releaseNode(tx, nodeId, chunk.id, now, (n) => {
        n.consecutiveFailures = 0;
        n.chunksDone += 1;
      });
      return { node };
    });
  }

  async failed(nodeId: string, f: ChunkFailed): Promise<Ack> {
    return this.fenced(nodeId, f, (tx, chunk, now) => this.applyFailure(tx, nodeId, chunk, f.reason, f.message, now));
  }

  /** A node failed its chunk: requeue it or fail it for good, and count it against the node. */
  private async applyFailure(tx: EntityManager, nodeId: string, chunk: ChunkRow, reason: FailureReason, message: string, now: Date): Promise<{ node: NodeRow | null; after?: () => void }> {
    chunk.failedNodeIds = [...chunk.failedNodeIds, nodeId];
    chunk.error = message;
    const next = chunkStateAfterFailure(chunk.failedNodeIds);
    assertChunkTransition(chunk.state, next);
    chunk.state = next;
    chunk.leaseExpiresAt = null;
    if (next === ChunkState.QUEUED) {
      chunk.attempt += 1;
      chunk.nodeId = null;
      chunk.framesDone = 0;
    }
    await endAttempt(tx, chunk, 'failed', reason, message, now);
    const failuresOnJob = await tx.count(ChunkAttemptEntity, { jobId: chunk.jobId, nodeId, outcome: 'failed' });
    if (failuresOnJob >= BLOCK_AFTER_JOB_FAILURES && !(await tx.count(NodeJobBlockEntity, { nodeId, jobId: chunk.jobId }))) {
      tx.create(NodeJobBlockEntity, { nodeId, jobId: chunk.jobId, reason: `failed ${failuresOnJob} chunks of this job (last: ${message.slice(0, 200)})`, createdAt: now });
      recordAudit(tx, now, system, { action: 'node.blocklist', targetType: 'node', targetId: nodeId, details: { jobId: chunk.jobId, failures: failuresOnJob } });
    }
    let quarantined = false;
    const node = await releaseNode(tx, nodeId, chunk.id, now, (n) => {
      n.consecutiveFailures += 1;
      n.chunksFailed += 1;
      if (n.consecutiveFailures >= QUARANTINE_AFTER_FAILURES && n.state !== NodeState.disabled) {
        n.state = NodeState.disabled;
        n.disabledReason = `Quarantined: ${n.consecutiveFailures} chunks in a row failed (last: ${message.slice(0, 200)})`;
        recordAudit(tx, now, system, { action: 'node.quarantine', targetType: 'node', targetId: n.id, details: { failures: n.consecutiveFailures } });
        quarantined = true;
      }
    });
    // the agent hears of its quarantine only once it is committed
    return { node, ...(quarantined ? { after: () => this.deps.bus.emit('nodeCommand', { nodeId, state: 'disabled' }) } : {}) };
  }

  /**
   * Takes chunks back from their node without blaming it (lease lapsed, node gone, node
   * disabled): back to the queue under the same epoch, so the old holder is fenced out.
   */
  async requeue(where: { chunkIds?: string[]; nodeId?: string; leaseExpiredBefore?: Date }, outcome: Extract<AttemptOutcome, 'lost' | 'cancelled'>, why: string): Promise<number> {
    const now = this.deps.clock.now();
    const active = [ChunkState.ASSIGNED, ChunkState.DOWNLOADING, ChunkState.RENDERING, ChunkState.UPLOADING];
    const lapsed = await this.deps.orm.em.fork().transactional(async (tx) => {
      const filter = {
        state: { $in: active },
        ...(where.chunkIds ? { id: { $in: where.chunkIds } } : {}),
        ...(where.nodeId ? { nodeId: where.nodeId } : {}),
        ...(where.leaseExpiredBefore ? { leaseExpiresAt: { $lt: where.leaseExpiredBefore } } : {}),
      };
      const chunks = await tx.find(ChunkEntity, filter, { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, limit: 500 });
      const out: { chunk: ChunkRow; previousNode: string | null; node: NodeRow | null }[] = [];
      for (const chunk of chunks) {
        const previousNode = chunk.nodeId ?? null;
        assertChunkTransition(chunk.state, ChunkState.QUEUED);
        chunk.state = ChunkState.QUEUED;
        chunk.attempt += 1;
        chunk.nodeId = null;
        chunk.framesDone = 0;
        chunk.leaseExpiresAt = null;
        chunk.updatedAt = now;
        await endAttempt(tx, chunk, outcome, outcome, why, now);
        const node = previousNode ? await releaseNode(tx, previousNode, chunk.id, now) : null;
        out.push({ chunk, previousNode, node });
      }
      return out;
    });
    for (const { chunk, previousNode, node } of lapsed) {
      this.deps.log.info({ chunkId: chunk.id, nodeId: previousNode, why }, 'chunk requeued');
      if (previousNode) this.deps.bus.emit('revoke', { nodeId: previousNode, chunkId: chunk.id, epoch: chunk.epoch, reason: why });
      await this.afterCommit(chunk, node, now);
    }
    if (lapsed.length) this.deps.bus.emit('work');
    return lapsed.length;
  }

  /**
   * A coordinator coming back must not take chunks from agents that rendered on through its
   * outage: held leases get a grace to reconnect and report. Returns how many were extended.
   */
  async extendLeasesForRestart(): Promise<number> {
    const until = new Date(this.deps.clock.now().getTime() + this.deps.timing.restartGraceMs);
    return this.deps.orm.em.fork().nativeUpdate(
      ChunkEntity,
      { state: { $in: [ChunkState.ASSIGNED, ChunkState.DOWNLOADING, ChunkState.RENDERING, ChunkState.UPLOADING] }, leaseExpiresAt: { $lt: until } },
      { leaseExpiresAt: until },
    );
  }

  /** Runs `change` on the chunk if — and only if — this node holds it under this epoch. */
  private async fenced(
    nodeId: string,
    ref: { chunkId: string; epoch: number },
    /** Changes the chunk inside the transaction; `after` runs once it committed. */
    change: (tx: EntityManager, chunk: ChunkRow, now: Date) => Promise<{ node: NodeRow | null; after?: () => void }>,
  ): Promise<Ack> {
    const now = this.deps.clock.now();
    const outcome = await this.deps.orm.em.fork().transactional(async (tx) => {
      const chunk = await tx.findOne(ChunkEntity, { id: ref.chunkId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!chunk) return { refused: { ok: false, code: AckCode.notYours, message: `No chunk ${ref.chunkId}.` } as Refusal };
      if (chunk.nodeId !== nodeId || chunk.epoch !== ref.epoch || !isActiveChunkState(chunk.state)) {
        return { refused: stale(`Chunk ${chunk.id} is no longer yours (epoch ${ref.epoch}, now ${chunk.epoch}, ${chunk.state}).`) };
      }
      const result = await change(tx, chunk, now);
      chunk.updatedAt = now;
      return { chunk, ...result };
    });
    if ('refused' in outcome) return outcome.refused!;
    outcome.after?.();
    await this.afterCommit(outcome.chunk, outcome.node, now);
    if (outcome.node) this.deps.bus.emit('work');
    return { ok: true };
  }

  /** After a chunk change commits: the job follows its chunks, and watchers hear of both. */
  private async afterCommit(chunk: ChunkRow, node: NodeRow | null, now: Date): Promise<void> {
    this.deps.bus.emit('chunk', chunkDto(chunk));
    if (node) this.deps.bus.emit('node', nodeDto(node, now));
    try {
      const sync = await syncJobState(this.deps.orm, chunk.jobId, now);
      for (const c of sync.closed) if (c.nodeId) this.deps.bus.emit('revoke', { nodeId: c.nodeId, chunkId: c.id, epoch: c.epoch, reason: 'the job failed' });
      if (sync.changed) this.deps.bus.emit('job', jobDto(sync.job, sync.job.framesDone));
    } catch (err) {
      // the sweeper's reconciliation catches the job up
      this.deps.log.warn({ err, jobId: chunk.jobId }, 'job state sync failed');
    }
  }
}

