import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ChunkEntity } from './chunk.js';
import { JobEntity } from './job.js';

/**
 * A file a node rendered for a chunk under one epoch, sealed under the node's output key and
 * stored at `outputs/<jobId>/<chunkId>-<epoch>/<name>`. Recorded when the node asks where to
 * upload; a chunk is done only once all of its frames are stored with their exact size.
 */
export const JobOutputEntity = defineEntity({
  name: 'JobOutput',
  tableName: 'job_outputs',
  uniques: [{ properties: ['chunkId', 'epoch', 'name'] }],
  indexes: [{ properties: ['jobId'] }, { properties: ['createdAt'] }],
  properties: {
    id: p.uuid().primary(),
    jobId: p.manyToOne(JobEntity).mapToPk().fieldName('job_id').deleteRule('cascade'),
    chunkId: p.manyToOne(ChunkEntity).mapToPk().fieldName('chunk_id').deleteRule('cascade'),
    epoch: p.integer(),
    name: p.string().length(128),
    /** Plaintext bytes. */
    size: p.bigint('number'),
    sha256: p.string().length(64),
    sealedSize: p.bigint('number'),
    recordSize: p.integer(),
    storageKey: p.string().length(400),
    /** The output key wrapped under the master key (context `output:<jobId>:<chunkId>:<epoch>`), base64. */
    wrappedKey: p.string().length(100),
    createdAt: p.datetime(),
  },
});
export type JobOutputRow = InferEntity<typeof JobOutputEntity>;
