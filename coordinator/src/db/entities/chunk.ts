import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { JobEntity } from './job.js';
import type { ChunkKind, ChunkState } from '@cloudexport/shared';

export const ChunkEntity = defineEntity({
  name: 'Chunk',
  tableName: 'chunks',
  uniques: [{ properties: ['jobId', 'index'] }],
  indexes: [
    { properties: ['state', 'jobId'] },
    { properties: ['nodeId'] },
    // the scheduler's hot path: a job's next queued chunk
    { name: 'chunks_queued_index', expression: `create index "chunks_queued_index" on "chunks" ("job_id", "index") where "state" = 'QUEUED'` },
    // …and which of those some node already failed
    { name: 'chunks_assemble_index', expression: `create index "chunks_assemble_index" on "chunks" ("job_id") where "kind" = 'assemble'` },
    { name: 'chunks_queued_failed_index', expression: `create index "chunks_queued_failed_index" on "chunks" ("job_id") where "state" = 'QUEUED' and "failed_node_ids" <> '[]'::jsonb` },
  ],
  checks: [{ name: 'chunks_frames_check', expression: 'frame_end >= frame_start' }],
  properties: {
    id: p.uuid().primary(),
    jobId: p.manyToOne(JobEntity).mapToPk().fieldName('job_id').deleteRule('cascade'),
    index: p.integer(),
    /** frames (a range of the image sequence), audio (the comp's sound) or assemble (the deliverable). */
    kind: p.string().length(16).$type<ChunkKind>().default('frames'),
    frameStart: p.integer(),
    frameEnd: p.integer(),
    state: p.string().length(16).$type<ChunkState>(),
    attempt: p.integer().default(0),
    /** Fencing token: bumped on every assignment; messages with an older epoch are refused. */
    epoch: p.integer().default(0),
    nodeId: p.uuid().nullable(),
    failedNodeIds: p.json<string[]>(),
    framesDone: p.integer().default(0),
    leaseExpiresAt: p.datetime().nullable(),
    error: p.text().nullable(),
    /** aerender warnings (missing fonts, footage) for the artist. */
    warnings: p.json<string[]>().defaultRaw(`'[]'`),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type ChunkRow = InferEntity<typeof ChunkEntity>;
