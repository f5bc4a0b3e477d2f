import {
  earnedMicros,
  microsToUsd,
  type ApiKey,
  type AuditEntry,
  type Blob,
  type Bundle,
  type Chunk,
  type ChunkKind,
  type Invite,
  type Job,
  type JobOutput,
  type PartRequestDto,
  type RenderNode,
  type Session,
  type SignedRequestDto,
  type Tier,
  type User,
} from '@cloudexport/shared';
import type { ApiKeyRow, AuditEntryRow, BlobRow, BundleRow, ChunkRow, InviteRow, JobOutputRow, JobRow, NodeRow, TierPriceRow, UserRow } from '../db/entities/index.js';
import type { PartRequest, SignedRequest } from '../storage/object-storage.js';
import type { JobFigures } from './job-figures.js';
import type { NodeFigures } from './node-figures.js';

// Rows to wire shapes: the only place that decides what leaves the coordinator.

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function userDto(u: UserRow): User {
  return { id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabled, createdAt: iso(u.createdAt) };
}

/** The signed-in user and what the browser needs to write: the CSRF token, never the cookie's token. */
export function sessionDto(u: UserRow, s: { csrfToken: string; expiresAt: Date }): Session {
  return { user: userDto(u), csrfToken: s.csrfToken, expiresAt: iso(s.expiresAt) };
}

export function inviteDto(i: InviteRow): Invite {
  return { id: i.id, email: i.email, role: i.role, createdAt: iso(i.createdAt), expiresAt: iso(i.expiresAt) };
}

export function apiKeyDto(k: ApiKeyRow): ApiKey {
  return {
    id: k.id,
    userId: k.userId,
    name: k.name,
    prefix: k.prefix,
    createdAt: iso(k.createdAt),
    lastUsedAt: isoOrNull(k.lastUsedAt),
    revokedAt: isoOrNull(k.revokedAt),
  };
}

export function tierDto(t: TierPriceRow): Tier {
  return { id: t.id, name: t.name, pricePerMinuteUsd: microsToUsd(t.pricePerMinuteMicros), models: t.models, updatedAt: iso(t.updatedAt) };
}

/** Frames done, cost and start are summed from chunks and attempts by the caller (jobFigures, in batches). */
export function jobDto(j: JobRow, figures: JobFigures): Job {
  return {
    id: j.id,
    ownerId: j.ownerId,
    name: j.name,
    state: j.state,
    bundle: j.bundle ?? null,
    comp: j.comp,
    preset: j.preset,
    custom: j.custom ?? null,
    complexity: j.complexity,
    thirdPartyPlugins: j.thirdPartyPlugins,
    priority: j.priority,
    maxTier: j.maxTier ?? null,
    chunkSize: j.chunkSize,
    minAeVersion: j.minAeVersion ?? null,
    minVramMb: j.minVramMb,
    requirements: j.requirements,
    framesTotal: j.framesTotal,
    framesDone: figures.framesDone,
    chunkCount: j.chunkCount,
    retries: j.retries,
    estimatedUsd: j.estimatedUsdMicros == null ? null : microsToUsd(j.estimatedUsdMicros),
    costUsd: microsToUsd(figures.costMicros),
    startedAt: isoOrNull(figures.startedAt),
    error: j.error ?? null,
    createdAt: iso(j.createdAt),
    updatedAt: iso(j.updatedAt),
    finishedAt: isoOrNull(j.finishedAt),
  };
}

export function chunkDto(c: ChunkRow): Chunk {
  return {
    id: c.id,
    jobId: c.jobId,
    index: c.index,
    kind: c.kind,
    frameStart: c.frameStart,
    frameEnd: c.frameEnd,
    state: c.state,
    attempt: c.attempt,
    nodeId: c.nodeId ?? null,
    framesDone: c.framesDone,
    error: c.error ?? null,
    warnings: c.warnings,
    updatedAt: iso(c.updatedAt),
  };
}

/** A node that heartbeated this recently counts as connected. */
export const CONNECTED_WITHIN_MS = 10_000;

/**
 * Without figures (nodeFigures, loaded in batches) a node shows no current chunk:
 * publish through ChunkLifecycle.publishNodes, which loads them, rather than emitting this bare.
 */
export function nodeDto(n: NodeRow, now: Date, figures?: NodeFigures): RenderNode {
  const current = figures?.currentChunk;
  return {
    id: n.id,
    ownerId: n.ownerId,
    name: n.name,
    state: n.state,
    gpus: n.gpus,
    tierId: n.tierId ?? null,
    aeInstalls: n.aeInstalls,
    agentVersion: n.agentVersion ?? null,
    disabledReason: n.disabledReason ?? null,
    revoked: !!n.revokedAt,
    connected: n.state !== 'offline' && !!n.lastHeartbeatAt && now.getTime() - n.lastHeartbeatAt.getTime() < CONNECTED_WITHIN_MS,
    currentChunkId: n.currentChunkId ?? null,
    currentChunk: current && current.id === n.currentChunkId ? current : null,
    chunksDone: n.chunksDone,
    chunksFailed: n.chunksFailed,
    // a row read with raw SQL holds the bigint as a string
    earningsUsd: microsToUsd(earnedMicros(Number(n.chargedMicros ?? 0))),
    lastHeartbeatAt: isoOrNull(n.lastHeartbeatAt),
    createdAt: iso(n.createdAt),
  };
}

export function auditDto(a: AuditEntryRow): AuditEntry {
  return {
    id: a.id,
    at: iso(a.at),
    actorKind: a.actorKind,
    actorId: a.actorId ?? null,
    action: a.action,
    targetType: a.targetType ?? null,
    targetId: a.targetId ?? null,
    details: a.details,
    ip: a.ip ?? null,
  };
}

export function blobDto(b: BlobRow): Blob {
  return { sha256: b.sha256, size: b.size, sealedSize: b.sealedSize, stored: !!b.storedAt, createdAt: iso(b.createdAt) };
}

export function bundleDto(b: BundleRow): Bundle {
  return { id: b.id, ownerId: b.ownerId, manifestId: b.manifestId, files: b.files, bytes: b.bytes, createdAt: iso(b.createdAt) };
}

export function jobOutputDto(o: JobOutputRow, chunkIndex: number, kind: ChunkKind): JobOutput {
  return { name: o.name, chunkIndex, kind, size: o.size, sha256: o.sha256, createdAt: iso(o.createdAt) };
}

export function signedRequestDto(r: SignedRequest): SignedRequestDto {
  return { method: r.method, url: r.url, headers: r.headers, expiresAt: iso(r.expiresAt) };
}

export function partRequestDto(r: PartRequest): PartRequestDto {
  return { ...signedRequestDto(r), partNumber: r.partNumber, size: r.size };
}
