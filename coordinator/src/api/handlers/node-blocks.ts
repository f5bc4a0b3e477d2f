import type { ApiRoutes } from '@cloudexport/shared';
import { JobEntity, NodeJobBlockEntity } from '../../db/entities/index.js';
import type { Handler } from '../build-router.js';
import { isAdmin } from '../principal.js';
import { visibleNode } from '../visible-node.js';

/** The jobs a node gets no more chunks of after failing them, newest first (owner or admin; the job's name to admins only). */
export const listNodeBlocks: Handler<ApiRoutes['listNodeBlocks']> = async ({ em, params, principal }) => {
  const node = await visibleNode(em, params.id, principal);
  const blocks = await em.find(NodeJobBlockEntity, { nodeId: node.id }, { orderBy: { createdAt: 'desc' } });
  const jobs = blocks.length && isAdmin(principal) ? await em.find(JobEntity, { id: { $in: blocks.map((b) => b.jobId) } }, { fields: ['id', 'name'] }) : [];
  const name = new Map(jobs.map((j) => [j.id, j.name]));
  return { items: blocks.map((b) => ({ jobId: b.jobId, jobName: name.get(b.jobId) ?? '', reason: b.reason, createdAt: b.createdAt.toISOString() })) };
};
