import Router from '@koa/router';
import { ErrorCode, rawApiRoutes } from '@cloudexport/shared';
import { ApiError } from '../api/api-error.js';
import { authorizeCaller, validate } from '../api/build-router.js';
import type { Deps } from '../api/deps.js';
import { JobEntity } from '../db/entities/index.js';
import { canSee } from '../jobs/job-service.js';

/**
 * GET /api/v1/jobs/:id/preview: the job's latest preview JPEG. Bytes, so not in the JSON route
 * table, but the caller is checked as there: API key, rate, role, and the job must be theirs
 * (admins: any); a job they may not see is a 404, like one that does not exist.
 */
export function previewRoutes(deps: Deps): Router {
  const route = rawApiRoutes.getJobPreview;
  const router = new Router({ prefix: '/api/v1' });
  router.get(route.path, async (ctx) => {
    const em = deps.orm.em.fork();
    const principal = await authorizeCaller(deps, ctx, em, deps.clock.now(), route);
    const { id } = validate('path', route.params, ctx.params) as { id: string };
    const job = await em.findOne(JobEntity, { id }, { fields: ['ownerId'] });
    if (!job || !canSee(principal, job)) throw ApiError.notFound('job', id);
    const latest = deps.previews.latest(id);
    if (!latest) {
      throw new ApiError(404, ErrorCode.notFound, `Job ${id} has no preview: nodes send one every few seconds while they render, and it is dropped when the job ends. Try again shortly, or download the output.`);
    }
    // a preview is stale seconds later: never cached, and never sniffed as anything but a JPEG
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Preview-Frame', String(latest.preview.frame));
    ctx.type = route.contentType;
    ctx.body = latest.jpeg;
  });
  return router;
}
