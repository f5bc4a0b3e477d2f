import { ErrorCode, type ErrorBody } from '@cloudexport/shared';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { ApiError } from './api-error.js';

/** Every failure leaves as `{error: {code, message, details}}`; a 500 never shows internals. */
export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError(404, ErrorCode.notFound, `No route ${ctx.method} ${ctx.path}. See /api/v1/openapi.json.`);
      }
      if (ctx.status === 405 && ctx.body === undefined) {
        throw new ApiError(405, ErrorCode.methodNotAllowed, `${ctx.method} is not allowed on ${ctx.path}; allowed: ${ctx.response.get('Allow')}.`);
      }
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.status >= 500) log.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      const body: ErrorBody = {
        error: { code: apiError.code, message: apiError.message, ...(apiError.details ? { details: apiError.details } : {}) },
      };
      const allow = ctx.response.get('Allow');
      ctx.status = apiError.status;
      if (allow) ctx.set('Allow', allow);
      ctx.body = body;
      if (apiError.status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="cloudexport"');
      if (apiError.status === 429) ctx.set('Retry-After', String(apiError.details?.retryAfterSeconds ?? 1));
    }
  };
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  // body parser and other http-errors carry a status and an `expose`d message
  const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new ApiError(413, ErrorCode.payloadTooLarge, 'The request body is too large.');
    if (status === 415) return new ApiError(415, ErrorCode.unsupportedMediaType, 'Send the body as application/json.');
    const message = e.type === 'entity.parse.failed' || /JSON/i.test(e.message ?? '') ? 'The body is not valid JSON.' : (e.expose && e.message) || 'Bad request.';
    return new ApiError(400, ErrorCode.badRequest, message);
  }
  return new ApiError(500, ErrorCode.internal, 'Something went wrong on our side; it has been logged. Try again, and tell us if it persists.');
}
