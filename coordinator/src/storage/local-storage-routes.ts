import { ErrorCode } from '@cloudexport/shared';
import Router from '@koa/router';
import type { Context } from 'koa';
import { ApiError } from '../api/api-error.js';
import { contentDisposition } from './content-disposition.js';
import { resolveRange } from './http-range.js';
import { LOCAL_STORAGE_PATH, type LocalDiskStorage } from './local-disk-storage.js';
import { SignatureRefused, type LocalGrant } from './local-url-signer.js';
import { StorageError, StorageErrorCode } from './object-storage.js';

/**
 * Serves the local driver's signed URLs at `/storage/<key>`: GET and HEAD (with Range), PUT of
 * single uploads and of multipart parts. The signature is the only credential. Mount it after
 * the error middleware (failures leave as `{error: {code, message, details}}`) and before any
 * body parser (bodies are streamed to disk, never buffered).
 */
export function localStorageRoutes(storage: LocalDiskStorage): Router {
  const router = new Router();
  const path = `${LOCAL_STORAGE_PATH}{*key}`;

  router.get(path, async (ctx) => {
    const grant = authorize(storage, ctx);
    if (grant.op !== 'get') throw refused('wrong_method', 'This storage link is for uploading, not downloading.');
    const found = await storage.open(grant.key).catch(rethrowAsApiError);
    if (!found) throw new ApiError(404, ErrorCode.notFound, `Nothing is stored at ${grant.key}: it was never uploaded, or it was deleted after the retention period.`);
    let handedOff = false;
    try {
      const range = resolveRange(ctx.get('Range') || undefined, found.size);
      ctx.set('Accept-Ranges', 'bytes');
      if (range === 'unsatisfiable') {
        ctx.set('Content-Range', `bytes */${found.size}`);
        throw new ApiError(416, ErrorCode.badRequest, `Range "${ctx.get('Range')}" is outside this object of ${found.size} bytes.`, { size: found.size });
      }
      ctx.set('Last-Modified', found.lastModified.toUTCString());
      ctx.set('Cache-Control', 'private, no-store');
      if (grant.fileName !== undefined) ctx.set('Content-Disposition', contentDisposition(grant.fileName));
      ctx.type = 'application/octet-stream';
      const { start, end } = range ?? { start: 0, end: found.size - 1 };
      if (range) {
        ctx.status = 206;
        ctx.set('Content-Range', `bytes ${start}-${end}/${found.size}`);
      } else {
        ctx.status = 200;
      }
      ctx.length = end - start + 1;
      if (ctx.method === 'HEAD') return;
      if (found.size === 0) {
        ctx.body = Buffer.alloc(0);
        return;
      }
      ctx.body = found.handle.createReadStream({ start, end });
      handedOff = true;
    } finally {
      if (!handedOff) await found.handle.close();
    }
  });

  router.put(path, async (ctx) => {
    const grant = authorize(storage, ctx);
    if (grant.op === 'get') throw refused('wrong_method', 'This storage link is for downloading, not uploading.');
    const declared = ctx.get('Content-Length');
    if (declared !== '' && Number(declared) !== grant.size) {
      // refuse before reading; close so the unread body is not taken for the next request
      ctx.set('Connection', 'close');
      throw new ApiError(
        Number(declared) > grant.size ? 413 : 400,
        Number(declared) > grant.size ? ErrorCode.payloadTooLarge : ErrorCode.badRequest,
        `This link takes exactly ${grant.size} bytes, not ${declared}. Nothing was stored.`,
        { expected: grant.size, declared: Number(declared) },
      );
    }
    try {
      if (grant.op === 'put') {
        const stored = await storage.receiveUpload(grant, ctx.req);
        ctx.body = { key: stored.key, size: stored.size };
      } else {
        const part = await storage.receivePart(grant, ctx.req);
        ctx.set('ETag', part.etag);
        ctx.body = { partNumber: part.partNumber, size: part.size };
      }
    } catch (err) {
      if (!ctx.req.readableEnded) ctx.set('Connection', 'close');
      rethrowAsApiError(err);
    }
  });

  return router;
}

function authorize(storage: LocalDiskStorage, ctx: Context): LocalGrant {
  const key = ctx.path.slice(LOCAL_STORAGE_PATH.length);
  try {
    return storage.authorize(ctx.method, key, new URLSearchParams(ctx.querystring));
  } catch (err) {
    if (err instanceof SignatureRefused) throw refused(err.reason, err.message);
    throw err;
  }
}

function refused(reason: string, message: string): ApiError {
  return new ApiError(403, ErrorCode.forbidden, message, { reason });
}

const STATUS: Record<StorageErrorCode, [number, ErrorCode]> = {
  invalid_key: [400, ErrorCode.badRequest],
  invalid_request: [400, ErrorCode.badRequest],
  not_found: [404, ErrorCode.notFound],
  too_large: [413, ErrorCode.payloadTooLarge],
  size_mismatch: [400, ErrorCode.badRequest],
  incomplete_upload: [409, ErrorCode.conflict],
  invalid_range: [416, ErrorCode.badRequest],
};

function rethrowAsApiError(err: unknown): never {
  if (!(err instanceof StorageError)) throw err;
  let [status, code] = STATUS[err.code];
  if (err.code === StorageErrorCode.sizeMismatch && Number(err.details?.actual) > Number(err.details?.expected)) [status, code] = [413, ErrorCode.payloadTooLarge];
  throw new ApiError(status, code, err.message, { reason: err.code, ...err.details });
}
