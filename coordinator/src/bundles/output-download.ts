import { pipeline } from 'node:stream';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BundleCryptoError, ErrorCode, rawApiRoutes, type RawRouteDef } from '@cloudexport/shared';
import { decryptStream } from '@cloudexport/shared/node';
import { ApiError } from '../api/api-error.js';
import { authorizeCaller, validate } from '../api/build-router.js';
import type { Deps } from '../api/deps.js';
import type { Principal } from '../api/principal.js';
import { recordAudit } from '../audit/audit-log.js';
import { JobEntity, type JobOutputRow } from '../db/entities/index.js';
import { canSee } from '../jobs/job-service.js';
import { contentDisposition } from '../storage/content-disposition.js';
import { resolveRange } from '../storage/http-range.js';
import { finishedDeliverable, finishedOutput } from './job-outputs.js';
import { outputKeyContext } from './object-names.js';
import { openSealedRange } from './sealed-range.js';
import { unwrapContentKey } from './wrapped-keys.js';

const MOVIE_TYPES: Readonly<Record<string, string>> = { mp4: 'video/mp4', mov: 'video/quicktime', tar: 'application/x-tar' };

/**
 * GET /api/v1/jobs/:id/outputs/:name (one rendered file) and GET /api/v1/jobs/:id/deliverable
 * (the preset's movie): decrypted on the way out, whole or one byte range (206; 416 outside the
 * file), so a player can seek and a download can resume. They stream bytes, so they are not in
 * the JSON route table, but check the caller exactly as those routes do: API key, rate, role,
 * ownership (anyone else's job is 404).
 */
export function outputDownloadRoutes(deps: Deps): Router {
  const router = new Router({ prefix: '/api/v1' });

  const output = rawApiRoutes.downloadJobOutput;
  router.get(output.path, async (ctx) => {
    const { em, principal, now, params } = await ownJob<{ id: string; name: string }>(deps, ctx, output);
    const found = await finishedOutput(em, params.id, params.name);
    if (!found) throw new ApiError(404, ErrorCode.notFound, `Job ${params.id} has no output ${params.name}: its chunk is not done yet, or the file passed its retention period.`);
    await sendOutput(deps, ctx, em, principal, now, found.row, { contentType: output.contentType, fileName: found.row.name });
  });

  const deliverable = rawApiRoutes.downloadJobDeliverable;
  router.get(deliverable.path, async (ctx) => {
    const { em, principal, now, params, job } = await ownJob<{ id: string }>(deps, ctx, deliverable);
    const found = await finishedDeliverable(em, params.id);
    if (!found) {
      throw new ApiError(404, ErrorCode.notFound, `Job ${params.id} has no deliverable yet (it is ${job.state}): it is ready once the job is COMPLETED. Follow it with GET /api/v1/jobs/${params.id}.`);
    }
    const extension = found.row.name.split('.').at(-1) ?? '';
    await sendOutput(deps, ctx, em, principal, now, found.row, {
      contentType: MOVIE_TYPES[extension] ?? 'application/octet-stream',
      fileName: `${job.name.replace(/[^A-Za-z0-9 ._-]+/g, '_').trim() || 'deliverable'}.${extension}`,
    });
  });
  return router;
}

async function ownJob<P extends { id: string }>(deps: Deps, ctx: Context, route: RawRouteDef) {
  const em = deps.orm.em.fork();
  const now = deps.clock.now();
  const principal = await authorizeCaller(deps, ctx, em, now, route);
  const params = validate('path', route.params, ctx.params) as P;
  const job = await em.findOne(JobEntity, { id: params.id }, { fields: ['ownerId', 'name', 'state'] });
  if (!job || !canSee(principal, job)) throw ApiError.notFound('job', params.id);
  return { em, principal, now, params, job };
}

async function sendOutput(deps: Deps, ctx: Context, em: EntityManager, principal: Principal, now: Date, output: JobOutputRow, as: { contentType: string; fileName: string }): Promise<void> {
  const range = resolveRange(ctx.get('Range') || undefined, output.size);
  ctx.set('Accept-Ranges', 'bytes');
  if (range === 'unsatisfiable') {
    ctx.set('Content-Range', `bytes */${output.size}`);
    throw new ApiError(416, ErrorCode.badRequest, `Range "${ctx.get('Range')}" is outside ${output.name}, which is ${output.size} bytes.`, { size: output.size });
  }
  ctx.set('Cache-Control', 'private, no-store');
  ctx.set('Content-Disposition', contentDisposition(as.fileName));
  ctx.set('ETag', `"${output.sha256}"`);
  ctx.type = as.contentType;
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
}
