import test from 'ava';
import { apiRoutes } from '@cloudexport/shared';
import { startTestCoordinator, type TestCoordinator } from '../helpers/test-coordinator.js';

let c: TestCoordinator;
test.before(async () => {
  c = await startTestCoordinator();
});
test.after.always(async () => c?.stop());

test('/healthz answers without a key and checks the database', async (t) => {
  const res = await c.call('GET', '/healthz');
  t.is(res.status, 200);
  t.is(res.body.status, 'ok');
  t.true(['embedded', 'postgres'].includes(res.body.database));
});

test('the OpenAPI document lists every route, generated from the schemas', async (t) => {
  const res = await c.call('GET', '/api/v1/openapi.json');
  t.is(res.status, 200);
  const doc = res.body;
  t.is(doc.openapi, '3.1.0');
  for (const [operationId, route] of Object.entries(apiRoutes)) {
    const path = `/api/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
    const op = doc.paths[path]?.[route.method];
    t.truthy(op, `${route.method} ${path} is documented`);
    t.is(op.operationId, operationId);
    t.truthy(op.responses[String(route.status)], `${operationId} documents its ${route.status}`);
  }
  // routes that answer bytes are documented too, with their ranges
  const download = doc.paths['/api/v1/jobs/{id}/outputs/{name}']?.get;
  t.is(download?.operationId, 'downloadJobOutput');
  t.truthy(download?.responses['200'].content['application/octet-stream']);
  t.truthy(download?.responses['206']);
  t.truthy(download?.responses['416']);
  t.deepEqual(download?.parameters.map((p: { name: string }) => p.name), ['id', 'name', 'Range']);
  // the body schema is the zod schema: its strictness and bounds survive the trip
  const createJob = doc.components.schemas.CreateJobBody;
  t.is(createJob.additionalProperties, false);
  t.deepEqual(createJob.required.sort(), ['comp', 'preset']);
  t.is(createJob.properties.priority.maximum, 100);
  t.truthy(doc.components.schemas.Job);
  t.truthy(doc.components.schemas.Error);
  t.is(doc.components.securitySchemes.apiKey.scheme, 'bearer');
});

test('every $ref in the OpenAPI document resolves', async (t) => {
  const doc = (await c.call('GET', '/api/v1/openapi.json')).body;
  const refs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') refs.push(x);
        else walk(x);
      }
    }
  };
  walk(doc);
  t.true(refs.length > 10);
  for (const ref of refs) {
    t.regex(ref, /^#\/components\/schemas\//);
    t.truthy(doc.components.schemas[ref.split('/').pop()!], `${ref} resolves`);
  }
});

test('errors share one shape and never show a stack', async (t) => {
  const res = await c.call('GET', '/api/v1/me', { key: 'nope-nope-nope' });
  t.is(res.status, 401);
  t.deepEqual(Object.keys(res.body), ['error']);
  t.is(res.body.error.code, 'unauthorized');
  t.is(res.headers.get('www-authenticate'), 'Bearer realm="cloudexport"');
  t.false(JSON.stringify(res.body).includes('    at '));
});
