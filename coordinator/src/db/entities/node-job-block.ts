import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { JobEntity } from './job.js';
import { NodeEntity } from './node.js';

/** A node that failed a job repeatedly gets no more of its chunks. */
export const NodeJobBlockEntity = defineEntity({
  name: 'NodeJobBlock',
  tableName: 'node_job_blocks',
  properties: {
    nodeId: p.manyToOne(NodeEntity).mapToPk().fieldName('node_id').deleteRule('cascade').primary(),
    jobId: p.manyToOne(JobEntity).mapToPk().fieldName('job_id').deleteRule('cascade').primary(),
    reason: p.text(),
    createdAt: p.datetime(),
  },
});
export type NodeJobBlockRow = InferEntity<typeof NodeJobBlockEntity>;
