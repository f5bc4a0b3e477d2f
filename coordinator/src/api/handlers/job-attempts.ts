import type { ApiRoutes } from '@cloudexport/shared';
import { ChunkAttemptEntity, JobEntity } from '../../db/entities/index.js';
import { canSee } from '../../jobs/job-service.js';
import { ApiError } from '../api-error.js';
import { attemptDtos } from '../attempt-views.js';
import type { Handler } from '../build-router.js';

/** A job's timeline: every assignment of its chunks, oldest first (owner or admin; others 404, as getJob). */
export const listJobAttempts: Handler<ApiRoutes['listJobAttempts']> = async ({ em, params, principal }) => {
  const job = await em.findOne(JobEntity, { id: params.id }, { fields: ['id', 'ownerId'] });
  if (!job || !canSee(principal, job)) throw ApiError.notFound('job', params.id);
  const attempts = await em.find(ChunkAttemptEntity, { jobId: job.id }, { orderBy: { startedAt: 'asc', id: 'asc' } });
  return { items: await attemptDtos(em, attempts) };
};
