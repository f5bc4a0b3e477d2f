import Router from '@koa/router';
import type { EntityManager } from '@mikro-orm/postgresql';
import { apiRoutes, ErrorCode, type ApiRoutes, type FieldIssue, type RouteDef, type RouteName } from '@cloudexport/shared';
import type { Context } from 'koa';
import type { z } from 'zod';
import { recordAudit, type AuditActor, type AuditRecord } from '../audit/audit-log.js';
import { identifyCaller } from '../auth/identify-caller.js';
import { ApiError } from './api-error.js';
import type { Deps } from './deps.js';
import type { Principal } from './principal.js';

type Parsed<R, K extends 'params' | 'query' | 'body'> = R extends { [P in K]: infer S extends z.ZodType } ? z.infer<S> : undefined;

export interface HandlerInput<R extends RouteDef> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  body: Parsed<R, 'body'>;
  /** Null only on public routes, whose body carries its own credential. */
  principal: R extends { public: true } ? null : Principal;
  /** A fresh unit of work for this request; `flush()` commits it, audit entries included. */
  em: EntityManager;
  deps: Deps;
  now: Date;
  /** The caller, as the audit log names them. */
  actor: AuditActor;
  /** Queues an audit entry by the caller into `em`. */
  audit(record: AuditRecord): void;
  ctx: Context;
}

export type Handler<R extends RouteDef> = (input: HandlerInput<R>) => Promise<z.input<R['response']>>;
export type Handlers = { [K in RouteName]: Handler<ApiRoutes[K]> };

/** Mounts every route of the shared table: authenticate, check the role, validate, handle, shape the answer. */
export function buildApiRouter(handlers: Handlers, deps: Deps): Router {
  const router = new Router({ prefix: '/api/v1' });
  for (const name of Object.keys(apiRoutes) as RouteName[]) {
    const route: RouteDef = apiRoutes[name];
    const handler = handlers[name] as unknown as Handler<RouteDef>;
    router[route.method](name, route.path, async (ctx) => {
      const em = deps.orm.em.fork();
      const now = deps.clock.now();
      let principal: Principal | null = null;
      if (route.public) throttle(deps, `ip:${ctx.ip}`);
      else principal = await authorizeCaller(deps, ctx, em, now, route);
      const params = validate('path', route.params, ctx.params);
      const query = validate('query', route.query, ctx.query);
      const body = validate('body', route.body, route.body ? (ctx.request as { body?: unknown }).body : undefined);
      const actor: AuditActor = principal ? { kind: 'user', id: principal.userId, ip: ctx.ip } : { kind: 'system', id: null, ip: ctx.ip };
      const result = await handler({
        params,
        query,
        body,
        principal,
        em,
        deps,
        now,
        actor,
        audit: (record) => recordAudit(em, now, actor, record),
        ctx,
      } as HandlerInput<RouteDef>);
      // parsing the answer strips anything the schema does not name, so nothing leaks by accident
      ctx.body = route.response.parse(result);
      ctx.status = route.status;
    });
  }
  return router;
}

/**
 * Who is calling, checked as every API route checks it: a valid key or session cookie (with its
 * CSRF token on writes), within its rate, of a role the route allows (401, 429, 403 otherwise).
 * Routes that answer bytes use it too.
 */
export async function authorizeCaller(deps: Deps, ctx: Context, em: EntityManager, now: Date, route: Pick<RouteDef, 'roles' | 'summary' | 'session'>): Promise<Principal> {
  const principal = await identifyCaller(deps, ctx, em, now, route.session === true).catch((err: unknown) => {
    // failed sign-ins spend the address's budget, so keys cannot be guessed at full speed
    if (err instanceof ApiError && err.status === 401) throttle(deps, `ip:${ctx.ip}`);
    throw err;
  });
  const credential = principal.credential;
  throttle(deps, credential.kind === 'apiKey' ? `key:${credential.id}` : `session:${credential.id}`);
  if (!route.roles.includes(principal.role)) {
    const whose = credential.kind === 'apiKey' ? 'this key belongs to' : 'you are signed in as';
    const article = /^[aeiou]/.test(principal.role) ? 'an' : 'a';
    throw ApiError.forbidden(`${route.summary} needs the ${route.roles.join(' or ')} role; ${whose} ${article} ${principal.role}.`);
  }
  return principal;
}

function throttle(deps: Deps, key: string): void {
  const verdict = deps.rateLimiter.take(key);
  if (!verdict.ok) {
    throw new ApiError(429, ErrorCode.rateLimited, `Too many requests; retry in ${verdict.retryAfterSeconds} s.`, { retryAfterSeconds: verdict.retryAfterSeconds });
  }
}

/** One issue per offending field; an unknown key is named as the field it is. */
function toFieldIssues(issue: z.core.$ZodIssue): FieldIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'unknown field' }));
  }
  return [{ path: issue.path.join('.'), message: issue.message }];
}

/** Parses a request part with its schema, or throws a 400 naming each offending field. */
export function validate(where: string, schema: z.ZodType | undefined, value: unknown): never {
  if (!schema) {
    if (where === 'query' && value && Object.keys(value).length > 0) {
      throw ApiError.validation('query', Object.keys(value).map((path) => ({ path, message: 'unknown field' })));
    }
    return undefined as never;
  }
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    throw ApiError.validation(where, result.error.issues.flatMap(toFieldIssues));
  }
  return result.data as never;
}
