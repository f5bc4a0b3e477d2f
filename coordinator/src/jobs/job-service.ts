import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  assertChunkTransition,
  assertJobTransition,
  CHUNK_STATES,
  ChunkKind,
  ChunkState,
  chooseChunkSize,
  defaultMinVramMb,
  ErrorCode,
  estimateCost,
  isActiveChunkState,
  isTerminalChunkState,
  isTerminalJobState,
  JobState,
  MAX_CHUNKS_PER_JOB,
  NodeState,
  splitFrames,
  usdToMicros,
  type CreateJobBody,
} from '@cloudexport/shared';
import { ApiError } from '../api/api-error.js';
import type { Principal } from '../api/principal.js';
import { isAdmin } from '../api/principal.js';
import { recordAudit, type AuditActor, type AuditRecord } from '../audit/audit-log.js';
import { ChunkEntity, JobEntity, NodeEntity, type JobRow } from '../db/entities/index.js';
import { loadTiers, pricedTiers, tiersWithin, unknownTier } from '../tiers/tier-table.js';
import { bundleForJob } from '../bundles/bundle-registry.js';
import { lockJob } from '../fleet/job-progress.js';
import { rendersAudio } from './deliverable-spec.js';
import { endAttempt, releaseNode } from '../fleet/release-hold.js';

export interface JobWrite {
  em: EntityManager;
  principal: Principal;
  actor: AuditActor;
  now: Date;
  storageHours: number;
}

/** Validates the spec against the tier table, prices it, splits it into chunks and queues it. */
export async function createJob({ em, principal, actor, now, storageHours }: JobWrite, body: CreateJobBody): Promise<JobRow> {
  const audit = (r: AuditRecord) => recordAudit(em, now, actor, r);
  const candidates = tiersWithin(await loadTiers(em), body.maxTier);
  if (!candidates || candidates.length === 0) throw unknownTier(body.maxTier ?? '');
  // a job renders one of its owner's bundles (or none: benchmarks and fleet tests), priced at its real size
  const bundle = body.bundle ? await bundleForJob(em, principal.userId, body.bundle, now) : null;
  const bundleBytes = bundle ? bundle.bytes : body.bundleBytes;
  const frames = body.comp.frameEnd - body.comp.frameStart + 1;
  const chunkSize = body.chunkSize ?? chunkSizeFor(frames, await eligibleNodeCount(em, candidates.map((t) => t.id)));
  const ranges = splitFrames(body.comp.frameStart, body.comp.frameEnd, chunkSize);
  if (ranges.length > MAX_CHUNKS_PER_JOB) {
    throw ApiError.validation('body', [
      { path: 'chunkSize', message: `${chunkSize} frames per chunk makes ${ranges.length} chunks; at most ${MAX_CHUNKS_PER_JOB} (use ≥ ${Math.ceil(frames / MAX_CHUNKS_PER_JOB)})` },
    ]);
  }
  const estimate = estimateCost(
    { durationSeconds: frames / body.comp.fps, fps: body.comp.fps, complexity: body.complexity, thirdPartyPlugins: body.thirdPartyPlugins, bundleBytes, preset: body.preset, custom: body.custom },
    await pricedTiers(em, candidates),
    { storageHours },
  );
  // the hold is priced at the job's ceiling: the dearest tier it may land on
  const ceilingUsd = Math.max(...estimate.tiers.map((t) => t.cost.totalUsd));

  const job = em.create(JobEntity, {
    id: randomUUID(),
    ownerId: principal.userId,
    name: body.name ?? body.comp.name,
    state: JobState.CREATED,
    bundle: bundle?.id ?? null,
    bundleBytes,
    comp: body.comp,
    preset: body.preset,
    custom: body.custom ?? null,
    complexity: body.complexity,
    thirdPartyPlugins: body.thirdPartyPlugins,
    priority: body.priority,
    maxTier: body.maxTier ?? null,
    chunkSize,
    minAeVersion: body.minAeVersion ?? null,
    minVramMb: body.minVramMb ?? defaultMinVramMb(body.comp.width, body.comp.height),
    requirements: body.requirements ?? { fonts: [], effects: [] },
    framesTotal: frames,
    framesDone: 0,
    chunkCount: ranges.length,
    retries: 0,
    estimatedUsdMicros: usdToMicros(ceilingUsd),
    error: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  });
  for (const task of jobTasks(body, bundle !== null, ranges)) {
    em.create(ChunkEntity, {
      id: randomUUID(),
      jobId: job.id,
      ...task,
      attempt: 0,
      epoch: 0,
      nodeId: null,
      failedNodeIds: [],
      warnings: [],
      framesDone: 0,
      leaseExpiresAt: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    });
  }
  audit({ action: 'job.create', targetType: 'job', targetId: job.id, details: { comp: body.comp.name, frames, chunks: ranges.length, preset: body.preset, audio: body.comp.hasAudio, estimatedUsd: ceilingUsd } });
  moveJob(job, JobState.QUEUED, now, audit);
  await em.flush();
  return job;
}

/** Cancels the job and every chunk not yet finished; returns the chunks nodes were holding. */
export async function cancelJob({ em, principal, actor, now }: JobWrite, jobId: string): Promise<{ job: JobRow; held: { chunkId: string; nodeId: string; epoch: number }[] }> {
  return em.transactional(async (tx) => {
    const audit = (r: AuditRecord) => recordAudit(tx, now, actor, r);
    const visible = await tx.findOne(JobEntity, { id: jobId }, { fields: ['ownerId'] });
    if (!visible || !canSee(principal, visible)) throw ApiError.notFound('job', jobId);
    const job = await lockJob(tx, jobId);
    if (isTerminalJobState(job.state)) {
      throw ApiError.conflict(`Job ${job.id} is ${job.state}; only a job still in progress can be cancelled.`, ErrorCode.illegalTransition);
    }
    const open = CHUNK_STATES.filter((s) => !isTerminalChunkState(s));
    for (const s of open) assertChunkTransition(s, ChunkState.CANCELLED);
    const heldChunks = await tx.find(ChunkEntity, { jobId: job.id, state: { $in: open.filter(isActiveChunkState) } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const held = heldChunks.filter((c) => c.nodeId).map((c) => ({ chunkId: c.id, nodeId: c.nodeId!, epoch: c.epoch }));
    await tx.nativeUpdate(ChunkEntity, { jobId: job.id, state: { $in: open } }, { state: ChunkState.CANCELLED, leaseExpiresAt: null, updatedAt: now });
    for (const h of held) {
      await endAttempt(tx, { id: h.chunkId, epoch: h.epoch }, 'cancelled', 'cancelled', 'the job was cancelled', now);
      await releaseNode(tx, h.nodeId, h.chunkId, now);
    }
    moveJob(job, JobState.CANCELLED, now, audit);
    job.finishedAt = now;
    return { job, held };
  });
}

/**
 * The chunks of a new job: its frame ranges and, for a job with a bundle (whose outputs are
 * stored), the deliverable's tasks after them — the comp's sound when it has any and the preset
 * carries audio, and the assembly, WAITING until everything else is done.
 */
function jobTasks(body: CreateJobBody, delivered: boolean, ranges: { index: number; frameStart: number; frameEnd: number }[]) {
  const frames = ranges.map((r) => ({ ...r, kind: ChunkKind.frames, state: ChunkState.QUEUED }));
  if (!delivered) return frames;
  const whole = { frameStart: body.comp.frameStart, frameEnd: body.comp.frameEnd };
  const audio = rendersAudio({ comp: body.comp, preset: body.preset, custom: body.custom ?? null });
  return [
    ...frames,
    ...(audio ? [{ index: ranges.length, kind: ChunkKind.audio, state: ChunkState.QUEUED, ...whole }] : []),
    { index: ranges.length + (audio ? 1 : 0), kind: ChunkKind.assemble, state: ChunkState.WAITING, ...whole },
  ];
}

export function canSee(principal: Principal, job: { ownerId: string }): boolean {
  return job.ownerId === principal.userId || isAdmin(principal);
}

/** Every job state change goes through the shared transition table and the audit log. */
export function moveJob(job: JobRow, to: JobState, now: Date, audit: (r: AuditRecord) => void): void {
  assertJobTransition(job.state, to);
  audit({ action: 'job.state', targetType: 'job', targetId: job.id, details: { from: job.state, to } });
  job.state = to;
  job.updatedAt = now;
}

function chunkSizeFor(frames: number, eligibleNodes: number): number {
  return Math.max(chooseChunkSize(frames, eligibleNodes), Math.ceil(frames / MAX_CHUNKS_PER_JOB));
}

async function eligibleNodeCount(em: EntityManager, tierIds: string[]): Promise<number> {
  return em.count(NodeEntity, { state: { $in: [NodeState.online, NodeState.busy] }, tierId: { $in: tierIds } });
}
