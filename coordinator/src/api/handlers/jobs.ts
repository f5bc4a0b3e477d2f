import type { ApiRoutes } from '@cloudexport/shared';
import { ChunkEntity, JobEntity } from '../../db/entities/index.js';
import { cancelJob as cancel, canSee, createJob as create } from '../../jobs/job-service.js';
import { ApiError } from '../api-error.js';
import type { Handler, HandlerInput } from '../build-router.js';
import { chunkDto, jobDto } from '../dto.js';
import { afterCursor, decodeCursor, pageFrom } from '../pagination.js';
import { isAdmin } from '../principal.js';

function jobWrite(input: HandlerInput<ApiRoutes['createJob']> | HandlerInput<ApiRoutes['cancelJob']>) {
  return { em: input.em, principal: input.principal, actor: input.actor, now: input.now, storageHours: input.deps.config.retentionDays * 24 };
}

export const createJob: Handler<ApiRoutes['createJob']> = async (input) => jobDto(await create(jobWrite(input), input.body));

export const cancelJob: Handler<ApiRoutes['cancelJob']> = async (input) => jobDto(await cancel(jobWrite(input), input.params.id));

export const listJobs: Handler<ApiRoutes['listJobs']> = async ({ em, query, principal }) => {
  if (query.ownerId && query.ownerId !== principal.userId && !isAdmin(principal)) {
    throw ApiError.forbidden('Only admins may list another user’s jobs.');
  }
  const ownerId = query.ownerId ?? (isAdmin(principal) ? undefined : principal.userId);
  const rows = await em.find(
    JobEntity,
    { ...(ownerId ? { ownerId } : {}), ...(query.state ? { state: query.state } : {}), ...afterCursor('createdAt', decodeCursor(query.cursor)) },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1 },
  );
  const page = pageFrom(rows, query.limit, (j) => j.createdAt);
  return { items: page.rows.map(jobDto), nextCursor: page.nextCursor };
};

export const getJob: Handler<ApiRoutes['getJob']> = async ({ em, params, principal }) => {
  const job = await em.findOne(JobEntity, { id: params.id });
  if (!job || !canSee(principal, job)) throw ApiError.notFound('job', params.id);
  return jobDto(job);
};

export const listJobChunks: Handler<ApiRoutes['listJobChunks']> = async ({ em, params, principal }) => {
  const job = await em.findOne(JobEntity, { id: params.id });
  if (!job || !canSee(principal, job)) throw ApiError.notFound('job', params.id);
  const chunks = await em.find(ChunkEntity, { jobId: job.id }, { orderBy: { index: 'asc' } });
  return { items: chunks.map(chunkDto) };
};
