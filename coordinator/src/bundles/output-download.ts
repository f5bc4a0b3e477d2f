import { pipeline } from 'node:stream';
import Router from '@koa/router';
import { BundleCryptoError, ErrorCode, rawApiRoutes } from '@cloudexport/shared';
import { decryptStream } from '@cloudexport/shared/node';
import { ApiError } from '../api/api-error.js';
import { authorizeCaller, validate } from '../api/build-router.js';
import type { Deps } from '../api/deps.js';
import { recordAudit } from '../audit/audit-log.js';
import { JobEntity } from '../db/entities/index.js';
import { canSee } from '../jobs/job-service.js';
import { contentDisposition } from '../storage/content-disposition.js';
import { resolveRange } from '../storage/http-range.js';
import { finishedOutput } from './job-outputs.js';
import { outputKeyContext } from './object-names.js';
import { openSealedRange } from './sealed-range.js';
import { unwrapContentKey } from './wrapped-keys.js';

/**
 * GET /api/v1/jobs/:id/outputs/:name: a rendered file, decrypted on the way out, whole or one
 * byte range (206; 416 outside the file). It streams bytes, so it is not in the JSON route
 * table, but it checks the caller exactly as those routes do: API key, rate, role, ownership.
 */
export function outputDownloadRoutes(deps: Deps): Router {
  const route = rawApiRoutes.downloadJobOutput;
  const router = new Router({ prefix: '/api/v1' });
  router.get(route.path, async (ctx) => {
    const em = deps.orm.em.fork();
    const now = deps.clock.now();
    const principal = await authorizeCaller(deps, ctx, em, now, route);
    const params = validate('path', route.params, ctx.params) as { id: string; name: string };
    const job = await em.findOne(JobEntity, { id: params.id }, { fields: ['ownerId'] });
    if (!job || !canSee(principal, job)) throw ApiError.notFound('job', params.id);
    const found = await finishedOutput(em, params.id, params.name);
    if (!found) throw new ApiError(404, ErrorCode.notFound, `Job ${params.id} has no output ${params.name}: its chunk is not done yet, or the file passed its retention period.`);
    const output = found.row;

    const range = resolveRange(ctx.get('Range') || undefined, output.size);
    ctx.set('Accept-Ranges', 'bytes');
    if (range === 'unsatisfiable') {
      ctx.set('Content-Range', `bytes */${output.size}`);
      throw new ApiError(416, ErrorCode.badRequest, `Range "${ctx.get('Range')}" is outside ${params.name}, which is ${output.size} bytes.`, { size: output.size });
    }
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('Content-Disposition', contentDisposition(output.name));
    ctx.set('ETag', `"${output.sha256}"`);
    ctx.type = route.contentType;
    if (range) {
      ctx.status = 206;
      ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${output.size}`);
    } else {
      ctx.status = 200;
    }
    ctx.length = range ? range.end - range.start + 1 : output.size;
    if (ctx.method === 'HEAD') return;

    const contentKey = unwrapContentKey(deps.masterKey, output.wrappedKey, outputKeyContext(output.jobId, output.chunkId, output.epoch));
    recordAudit(em, now, { kind: 'user', id: principal.userId, ip: ctx.ip }, { action: 'output.download', targetType: 'job', targetId: output.jobId, details: { name: output.name, ...(range ? { range: `${range.start}-${range.end}` } : {}) } });
    await em.flush();
    // headers are gone by the time the data could fail to open: the connection is cut, never filled with unverified bytes
    const failed = (err: Error) => {
      if (err instanceof BundleCryptoError) deps.log.error({ err, jobId: output.jobId, name: output.name }, 'stored output failed to open: damaged or altered in storage');
      else deps.log.debug({ err: err.message, jobId: output.jobId, name: output.name }, 'output download ended early');
    };
    if (range) {
      ctx.body = await openSealedRange(deps.storage, { key: output.storageKey, size: output.size, recordSize: output.recordSize }, contentKey, range, failed);
    } else {
      ctx.body = pipeline(await deps.storage.getStream(output.storageKey), decryptStream(contentKey), (err) => {
        if (err) failed(err);
      });
    }
  });
  return router;
}
