import type { ApiRoutes } from '@cloudexport/shared';
import { ChunkEntity, JobEntity, NodeEntity } from '../../db/entities/index.js';
import { cancelJob as cancel, canSee, createJob as create } from '../../jobs/job-service.js';
import { ApiError } from '../api-error.js';
import type { Handler, HandlerInput } from '../build-router.js';
import { chunkDto, jobDto } from '../dto.js';
import { jobDtos, NEW_JOB_FIGURES } from '../job-figures.js';
import { ownerScope } from '../owner-scope.js';
import { findPage } from '../pagination.js';

function jobWrite(input: HandlerInput<ApiRoutes['createJob']> | HandlerInput<ApiRoutes['cancelJob']>) {
  return { em: input.em, principal: input.principal, actor: input.actor, now: input.now, storageHours: input.deps.config.retentionDays * 24 };
}

export const createJob: Handler<ApiRoutes['createJob']> = async (input) => {
  const job = jobDto(await create(jobWrite(input), input.body), NEW_JOB_FIGURES);
  input.deps.bus.emit('job', job);
  input.deps.bus.emit('work');
  return job;
};

export const cancelJob: Handler<ApiRoutes['cancelJob']> = async (input) => {
  const { job, held } = await cancel(jobWrite(input), input.params.id);
  for (const h of held) input.deps.bus.emit('revoke', { ...h, reason: 'the job was cancelled' });
  const [dto] = await jobDtos(input.em, [job]);
  input.deps.bus.emit('job', dto!);
  if (held.length) {
    // the nodes that held its chunks are free: the dispatcher and consoles must see them idle
    const freed = await input.em.fork().find(NodeEntity, { id: { $in: held.map((h) => h.nodeId) } });
    await input.deps.lifecycle.publishNodes(freed, input.now);
    input.deps.bus.emit('work');
  }
  return dto!;
};

export const listJobs: Handler<ApiRoutes['listJobs']> = async ({ em, query, principal }) => {
  const where = { ...ownerScope(principal, query.ownerId, 'jobs'), ...(query.state ? { state: query.state } : {}) };
  const page = await findPage(em, JobEntity, where, query, 'createdAt');
  return { items: await jobDtos(em, page.rows), nextCursor: page.nextCursor };
};

export const getJob: Handler<ApiRoutes['getJob']> = async ({ em, params, principal }) => {
  const job = await em.findOne(JobEntity, { id: params.id });
  if (!job || !canSee(principal, job)) throw ApiError.notFound('job', params.id);
  const [dto] = await jobDtos(em, [job]);
  return dto!;
};

export const listJobChunks: Handler<ApiRoutes['listJobChunks']> = async ({ em, params, principal }) => {
  const job = await em.findOne(JobEntity, { id: params.id });
  if (!job || !canSee(principal, job)) throw ApiError.notFound('job', params.id);
  const chunks = await em.find(ChunkEntity, { jobId: job.id }, { orderBy: { index: 'asc' } });
  return { items: chunks.map(chunkDto) };
};
