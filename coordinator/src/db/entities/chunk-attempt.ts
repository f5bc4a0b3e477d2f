import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ChunkEntity } from './chunk.js';
import { JobEntity } from './job.js';
import { NodeEntity } from './node.js';

export type AttemptOutcome = 'running' | 'done' | 'failed' | 'lost' | 'cancelled';

/** One assignment of a chunk to a node: what happened and why. Feeds blocklists and quarantine. */
export const ChunkAttemptEntity = defineEntity({
  name: 'ChunkAttempt',
  tableName: 'chunk_attempts',
  uniques: [{ properties: ['chunkId', 'epoch'] }],
  indexes: [{ properties: ['nodeId', 'startedAt'] }, { properties: ['jobId', 'nodeId'] }],
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
  },
});
export type ChunkAttemptRow = InferEntity<typeof ChunkAttemptEntity>;
