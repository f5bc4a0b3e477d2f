import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { AttemptOutcome } from '@cloudexport/shared';
import { ChunkEntity } from './chunk.js';
import { JobEntity } from './job.js';
import { NodeEntity } from './node.js';

export type { AttemptOutcome };

/** One assignment of a chunk to a node: what happened and why. Feeds blocklists and quarantine. */
export const ChunkAttemptEntity = defineEntity({
  name: 'ChunkAttempt',
  tableName: 'chunk_attempts',
  uniques: [{ properties: ['chunkId', 'epoch'] }],
  indexes: [
    { properties: ['nodeId', 'startedAt'] },
    { properties: ['jobId', 'nodeId'] },
    // frames per minute, spending and earnings sum the done attempts of a time window
    { name: 'chunk_attempts_done_ended_at_index', expression: `create index "chunk_attempts_done_ended_at_index" on "chunk_attempts" ("ended_at") where "outcome" = 'done'` },
  ],
  properties: {
    id: p.uuid().primary(),
    chunkId: p.manyToOne(ChunkEntity).mapToPk().fieldName('chunk_id').deleteRule('cascade'),
    jobId: p.manyToOne(JobEntity).mapToPk().fieldName('job_id').deleteRule('cascade'),
    nodeId: p.manyToOne(NodeEntity).mapToPk().fieldName('node_id').deleteRule('cascade'),
    epoch: p.integer(),
    outcome: p.string().length(16).$type<AttemptOutcome>(),
    reason: p.string().length(32).nullable(),
    message: p.text().nullable(),
    startedAt: p.datetime(),
    endedAt: p.datetime().nullable(),
    /** The node's tier when the attempt ended done (null otherwise, or for a node with no tier). */
    tierId: p.string().length(40).nullable(),
    /** endedAt − startedAt of a done attempt: what it is charged for. */
    gpuSeconds: p.double().nullable(),
    /** Done attempts only, set once as they end: GPU seconds × the tier's price per minute / 60. */
    chargedMicros: p.bigint('number').nullable(),
  },
});
export type ChunkAttemptRow = InferEntity<typeof ChunkAttemptEntity>;
