import { apiRoutes, errorBodySchema, rawApiRoutes, SESSION_COOKIE, type RawRouteDef, type RouteDef } from '@cloudexport/shared';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Malformed or invalid request; `details.issues` names the fields.',
  '401': 'Missing, invalid or revoked API key, or no live session.',
  '403': 'Your role may not call this; or (code `csrf`) a request with the session cookie changed state without `X-CSRF-Token`.',
  '404': 'No such resource, or not yours.',
};

/** The OpenAPI 3.1 document, generated from the same zod schemas the coordinator validates with. */
export function buildOpenApiDocument(version: string): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
    return hoistDefs(json, components);
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, route] of Object.entries(apiRoutes) as [string, RouteDef][]) {
    const path = `/api/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
    const parameters = [...objectParameters(route.params, 'path', toSchema), ...objectParameters(route.query, 'query', toSchema)];
    const responses: Record<string, unknown> = {
      [String(route.status)]: { description: route.summary, content: { 'application/json': { schema: toSchema(route.response, 'output') } } },
    };
    Object.assign(responses, errorResponses());
    paths[path] ??= {};
    paths[path][route.method] = {
      ...operation(operationId, route),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
      responses,
    };
  }
  // routes that answer bytes: same key, roles and ownership, a binary body instead of JSON
  for (const [operationId, route] of Object.entries(rawApiRoutes) as [string, RawRouteDef][]) {
    const path = `/api/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
    const binary = { [route.contentType]: { schema: { type: 'string', format: 'binary' } } };
    const responses: Record<string, unknown> = { '200': { description: route.summary, content: binary } };
    if (route.ranges) {
      responses['206'] = { description: 'The requested byte range (`Range: bytes=start-end`), with Content-Range.', content: binary };
      responses['416'] = { description: 'The range starts past the end of the file.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    Object.assign(responses, errorResponses());
    paths[path] ??= {};
    paths[path][route.method] = {
      ...operation(operationId, route),
      parameters: [
        ...objectParameters(route.params, 'path', toSchema),
        ...(route.ranges ? [{ name: 'Range', in: 'header', required: false, schema: { type: 'string' }, description: 'One byte range, e.g. `bytes=0-1023` or `bytes=-500`.' }] : []),
      ],
      responses,
    };
  }
  components.Error = toSchema(errorBodySchema, 'output');
  paths['/healthz'] = {
    get: { operationId: 'health', summary: 'Liveness and database check', tags: ['health'], security: [], responses: { '200': { description: 'Healthy' }, '503': { description: 'Database unreachable' } } },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'CloudExport coordinator API',
      version,
      description:
        'Render After Effects projects on peer GPUs. Authenticate with `Authorization: Bearer <API key>`, or (the web console) with the `ce_session` cookie from POST /api/v1/sessions: with the cookie, every POST, PUT, PATCH and DELETE sends the session’s CSRF token as `X-CSRF-Token`.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from POST /api/v1/api-keys.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by POST /api/v1/sessions; writes also need the session’s `X-CSRF-Token`.' },
      },
    },
  };
}

/** Path and query objects become one parameter per property. */
function objectParameters(schema: z.ZodType | undefined, where: 'path' | 'query', toSchema: (s: z.ZodType, io: 'input' | 'output') => JsonSchema) {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

/** Named schemas (`.meta({id})`) move to components and are referenced from where they were. */
function hoistDefs(json: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
  const { $defs: _drop, $schema: _schema, ...rest } = json;
  for (const [name, def] of Object.entries(defs)) components[name] ??= rewriteRefs(def) as JsonSchema;
  const id = typeof rest.id === 'string' ? rest.id : null;
  const body = rewriteRefs(rest) as JsonSchema;
  if (id) {
    delete body.id;
    components[id] ??= body;
    return { $ref: `#/components/schemas/${id}` };
  }
  return body;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v)]),
    );
  }
  return value;
}

/** What every operation states, JSON or bytes: its id, summary, tag, roles and how to authenticate. */
function operation(operationId: string, route: Pick<RouteDef, 'summary' | 'tag' | 'roles' | 'public' | 'session'>) {
  const security = route.public ? [] : route.session ? [{ sessionCookie: [] }] : [{ apiKey: [] }, { sessionCookie: [] }];
  const description = route.public ? 'No API key: the body carries the credential.' : `Roles: ${route.roles.join(', ')}.`;
  return { operationId, summary: route.summary, tags: [route.tag], description, security };
}

/** The error answers every operation may give, all in the one error shape. */
function errorResponses(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => [status, { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
  );
}
