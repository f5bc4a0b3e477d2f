import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import {
  assertChunkTransition,
  ChunkState,
  chunkStateAfterFailure,
  FailureReason,
  NodeState,
  type Ack,
  type ChunkAssignment,
  type ChunkDone,
  type ChunkFailed,
  type ChunkProgress,
  type ChunkWarning,
} from '@cloudexport/shared';
import type { Logger } from 'pino';
import { chunkDto, jobDto, nodeDto } from '../api/dto.js';
import { jobFigures } from '../api/job-figures.js';
import { nodeFigures } from '../api/node-figures.js';
import type { ChunkOutputCheck } from '../bundles/output-check.js';
import { recordAudit } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { ChunkAttemptEntity, ChunkEntity, NodeJobBlockEntity, type AttemptOutcome, type ChunkRow, type JobRow, type NodeRow } from '../db/entities/index.js';
import type { EventBus } from '../realtime/event-bus.js';
import { RawSql } from '../db/raw-sql.js';
import { assignBatch } from './assign-batch.js';
import { GroupCommit } from './group-commit.js';
import { renewLeases, type NodeBeat } from './heartbeat-batch.js';
import { BLOCK_AFTER_JOB_FAILURES, QUARANTINE_AFTER_FAILURES, type FleetTiming } from './fleet-timing.js';
import type { JobSync } from './job-progress.js';
import { JobSyncer } from './job-syncer.js';
import { fencingRefusal, type Refusal } from './fencing.js';
import { OrderedEmitter } from './ordered-emitter.js';
import { endAttempt, releaseNode } from './release-hold.js';
import { applyReports, type Report, type ReportOutcome } from './report-batch.js';

export interface LifecycleDeps {
  orm: MikroORM;
  clock: Clock;
  log: Logger;
  bus: EventBus;
  timing: FleetTiming;
  /** Checks a bundled job's uploaded frames before a done is accepted; absent: no check. */
  outputs?: Pick<ChunkOutputCheck, 'missing'>;
}

const system = { kind: 'system' as const, id: null };

/**
 * Every change to a chunk once it is handed out. Each runs in a transaction that locks the
 * chunk, checks the fencing token (the node holds it under this epoch), moves it through the
 * shared transition table, and publishes what changed after commit; the job follows its chunks.
 * The hot paths — assignment, progress, done, heartbeats — are written in batches (group
 * commit), so a fleet of thousands costs a few transactions per round, not one per message.
 */
export class ChunkLifecycle {
  private readonly sql: RawSql;
  private readonly syncer: JobSyncer;
  private readonly reports: GroupCommit<Report, ReportOutcome>;
  private readonly beats: GroupCommit<NodeBeat, { cancel: string[] }>;
  private readonly live: OrderedEmitter;

  constructor(private readonly deps: LifecycleDeps) {
    this.live = new OrderedEmitter((err) => deps.log.warn({ err }, 'a live update went out without its figures'));
    this.sql = new RawSql(deps.orm);
    this.syncer = new JobSyncer(deps.orm, this.sql, deps.clock, deps.log, (sync) => this.publishSync(sync));
    this.reports = new GroupCommit((batch) => this.writeReports(batch));
    this.beats = new GroupCommit((batch) => this.sql.transaction((sql) => renewLeases(sql, batch, deps.clock.now(), deps.timing.leaseMs)));
  }

  /** Leases queued chunks to as many of these idle nodes as can take one, in one transaction. */
  async assignBatch(nodeIds: string[]): Promise<{ nodeId: string; assignment: ChunkAssignment }[]> {
    const now = this.deps.clock.now();
    const batch = await this.sql.transaction((sql) => assignBatch(sql, nodeIds, now, this.deps.timing.leaseMs));
    for (const chunk of batch.chunks) this.deps.bus.emit('chunk', chunkDto(chunk));
    void this.publishNodes(batch.nodes, now);
    for (const jobId of new Set(batch.chunks.map((c) => c.jobId))) void this.syncer.request(jobId);
    return batch.assignments;
  }

  progress(nodeId: string, p: ChunkProgress): Promise<Ack> {
    return this.report({ kind: 'progress', nodeId, report: p });
  }

  async done(nodeId: string, d: ChunkDone): Promise<Ack> {
    // a bundled job's frames must all be in storage first; those round trips stay out of the batch
    const missing = await this.deps.outputs?.missing(nodeId, d);
    if (missing) return this.failed(nodeId, { chunkId: d.chunkId, epoch: d.epoch, reason: 'missing_frames', message: missing, lastLines: [] });
    return this.report({ kind: 'done', nodeId, report: d });
  }

  /** Keeps the node's chunks leased; answers the ones it must drop. */
  heartbeat(nodeId: string, running: { chunkId: string; epoch: number }[], cachedBundles?: string[]): Promise<{ cancel: string[] }> {
    return this.beats.submit({ nodeId, running, ...(cachedBundles ? { cachedBundles } : {}) });
  }

  warning(nodeId: string, w: ChunkWarning): Promise<Ack> {
    return this.fenced(nodeId, w, async (_tx, chunk) => {
      if (!chunk.warnings.includes(w.message) && chunk.warnings.length < 50) chunk.warnings = [...chunk.warnings, w.message];
      const event = { jobId: chunk.jobId, chunkId: chunk.id, nodeId, message: w.message };
      return { node: null, after: () => this.deps.bus.emit('warning', event) };
    });
  }

  private async report(r: Report): Promise<Ack> {
    const outcome = await this.reports.submit(r);
    if ('ack' in outcome) {
      // answered once the job has caught up with this report, without holding up the next batch
      if (outcome.jobId) await this.syncer.request(outcome.jobId);
      return outcome.ack;
    }
    const { nodeId, chunkId, epoch, message } = outcome.miscounted;
    return this.failed(nodeId, { chunkId, epoch, reason: 'missing_frames', message, lastLines: [] });
  }

  /** Writes a batch of progress and done reports, then tells everyone what changed. */
  private async writeReports(reports: Report[]): Promise<ReportOutcome[]> {
    const now = this.deps.clock.now();
    const applied = await this.sql.transaction((sql) => applyReports(sql, reports, now, this.deps.timing.leaseMs));
    for (const p of applied.progress) this.deps.bus.emit('chunkProgress', p);
    for (const chunk of applied.chunks) this.deps.bus.emit('chunk', chunkDto(chunk));
    // the dispatcher must see the freed nodes idle before it looks for work for them
    if (applied.nodes.length) void this.publishNodes(applied.nodes, now).then(() => this.deps.bus.emit('work'));
    return applied.outcomes;
  }

  async failed(nodeId: string, f: ChunkFailed): Promise<Ack> {
    return this.fenced(nodeId, f, (tx, chunk, now) => this.applyFailure(tx, nodeId, chunk, f.reason, f.message, now));
  }

  /** A node failed its chunk: requeue it or fail it for good, and count it against the node. */
  private async applyFailure(tx: EntityManager, nodeId: string, chunk: ChunkRow, reason: FailureReason, message: string, now: Date): Promise<{ node: NodeRow | null; after?: () => void }> {
    chunk.failedNodeIds = [...chunk.failedNodeIds, nodeId];
    chunk.error = message;
    // a deliverable that fails its checks would fail the same way on any node
    const next = reason === FailureReason.verification ? ChunkState.FAILED : chunkStateAfterFailure(chunk.failedNodeIds);
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
      const refused = fencingRefusal(chunk, nodeId, ref);
      if (refused || !chunk) return { refused: refused! };
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
    if (node) await this.publishNodes([node], now);
    await this.syncer.request(chunk.jobId);
  }

  /**
   * Tells the bus (live consoles, the dispatcher) these nodes changed, with their current chunk
   * and earnings loaded in one batch, in the order such updates were asked for. Never rejects.
   * `disconnected`: their agents just went away; a node that stays draining or disabled is not
   * offline, and its recent heartbeat would otherwise still count as connected.
   */
  publishNodes(nodes: NodeRow[], now: Date, { disconnected = false } = {}): Promise<void> {
    if (nodes.length === 0) return Promise.resolve();
    return this.live.after(nodeFigures(this.deps.orm.em.fork(), nodes), (figures) => {
      for (const node of nodes) {
        const dto = nodeDto(node, now, figures?.get(node.id));
        this.deps.bus.emit('node', disconnected ? { ...dto, connected: false } : dto);
      }
    });
  }

  /** Tells the bus a job changed, with its frames, cost and start loaded. Never rejects. */
  publishJob(job: JobRow): Promise<void> {
    return this.live.after(jobFigures(this.deps.orm.em.fork(), [job.id]), (figures) => {
      this.deps.bus.emit('job', jobDto(job, figures?.get(job.id) ?? { framesDone: job.framesDone, costMicros: 0, startedAt: null }));
    });
  }

  private publishSync(sync: JobSync): void {
    for (const c of sync.closed) if (c.nodeId) this.deps.bus.emit('revoke', { nodeId: c.nodeId, chunkId: c.id, epoch: c.epoch, reason: 'the job failed' });
    if (sync.changed) void this.publishJob(sync.job);
    if (sync.released.length) void this.publishNodes(sync.released, this.deps.clock.now()).then(() => this.deps.bus.emit('work'));
    if (sync.promoted) {
      this.deps.bus.emit('chunk', chunkDto(sync.promoted));
      this.deps.bus.emit('work');
    }
  }
}
