import type { ApiRoutes } from '@cloudexport/shared';
import { chunkDto } from '../dto.js';
import { retryJob as retry } from '../../jobs/job-retry.js';
import type { Handler } from '../build-router.js';
import { jobDtos } from '../job-figures.js';

/** A failed or cancelled job runs again (owner or admin); a running or completed one is a 409. */
export const retryJob: Handler<ApiRoutes['retryJob']> = async ({ em, params, principal, actor, now, deps }) => {
  const { job, requeued } = await retry({ em, principal, actor, now }, params.id);
  const [dto] = await jobDtos(em, [job]);
  for (const chunk of requeued) deps.bus.emit('chunk', chunkDto(chunk));
  deps.bus.emit('job', dto!);
  deps.bus.emit('work');
  return dto!;
};
