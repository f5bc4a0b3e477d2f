import test from 'ava';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

// Bad input gets a 400 that names the field, and nothing is written.

let c: TestCoordinator;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

async function writes(): Promise<{ jobs: number; audit: number; users: number }> {
  const conn = c.db.orm.em.getConnection();
  const [row] = await conn.execute<{ jobs: string; audit: string; users: string }[]>(
    'select (select count(*) from jobs) as jobs, (select count(*) from audit_log) as audit, (select count(*) from users) as users',
  );
  return { jobs: Number(row!.jobs), audit: Number(row!.audit), users: Number(row!.users) };
}

const job = (patch: Record<string, unknown>, compPatch: Record<string, unknown> = {}) => ({ ...sampleJob, ...patch, comp: { ...sampleJob.comp, ...compPatch } });

const badJobs: [string, unknown, string][] = [
  ['a wrong type', job({}, { fps: '25' }), 'comp.fps'],
  ['an unknown field', job({ colour: 'red' }), 'colour'],
  ['an unknown nested field', job({}, { layers: 3 }), 'comp.layers'],
  ['a huge frame number', job({}, { frameEnd: 1e300 }), 'comp.frameEnd'],
  ['a negative start frame', job({}, { frameStart: -5 }), 'comp.frameStart'],
  ['an end before the start', job({}, { frameStart: 100, frameEnd: 10 }), 'comp.frameEnd'],
  ['a fractional frame', job({}, { frameEnd: 10.5 }), 'comp.frameEnd'],
  ['a huge bundle size', job({ bundleBytes: 1e20 }), 'bundleBytes'],
  ['a missing comp', { preset: 'web' }, 'comp'],
  ['an unknown preset', job({ preset: 'vhs' }), 'preset'],
  ['custom preset without settings', job({ preset: 'custom' }), 'custom'],
  ['custom settings on a fixed preset', job({ custom: { width: 1920, height: 1080, codec: 'h264', container: 'mp4', bitrateMbps: 8 } }), 'custom'],
  ['an impossible custom preset', job({ preset: 'custom', custom: { width: 1920, height: 1080, codec: 'prores_422', container: 'mp4' } }), 'custom.container'],
  ['a priority out of range', job({ priority: 1000 }), 'priority'],
  ['an unknown tier ceiling', job({ maxTier: 'quantum' }), 'maxTier'],
  ['a chunk size that makes too many chunks', job({ chunkSize: 1 }, { frameEnd: 20_000 }), 'chunkSize'],
  ['an array instead of an object', [sampleJob], ''],
];

for (const [what, body, field] of badJobs) {
  test(`POST /jobs with ${what} → 400 naming ${field || 'the body'}, nothing written`, async (t) => {
    const before = await writes();
    const res = await c.call('POST', '/api/v1/jobs', { key: artist.key, body });
    t.is(res.status, 400, JSON.stringify(res.body));
    t.is(res.body.error.code, 'validation_failed');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    t.true(paths.includes(field), `issues name ${field}: ${JSON.stringify(res.body.error.details.issues)}`);
    if (field) t.true(res.body.error.message.includes(field), `the message names ${field}: ${res.body.error.message}`);
    t.deepEqual(await writes(), before);
  });
}

test('malformed JSON → 400 bad_request, nothing written', async (t) => {
  const before = await writes();
  const res = await c.call('POST', '/api/v1/jobs', { key: artist.key, rawBody: '{"comp": {"name": "Main",' });
  t.is(res.status, 400);
  t.is(res.body.error.code, 'bad_request');
  t.regex(res.body.error.message, /JSON/);
  t.deepEqual(await writes(), before);
});

test('a body over the limit → 413', async (t) => {
  const res = await c.call('POST', '/api/v1/jobs', { key: artist.key, rawBody: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }) });
  t.is(res.status, 413);
  t.is(res.body.error.code, 'payload_too_large');
});

test('a non-JSON body → 400 naming the missing fields', async (t) => {
  const res = await c.call('POST', '/api/v1/estimates', { key: artist.key, rawBody: 'durationSeconds=10', contentType: 'application/x-www-form-urlencoded' });
  t.is(res.status, 400);
});

const badOthers: [string, string, string, unknown, string][] = [
  ['an estimate with fps 0', 'POST', '/api/v1/estimates', { durationSeconds: 10, fps: 0, preset: 'web' }, 'fps'],
  ['an estimate of negative duration', 'POST', '/api/v1/estimates', { durationSeconds: -1, fps: 25, preset: 'web' }, 'durationSeconds'],
  ['a user with a bad email', 'POST', '/api/v1/users', { email: 'not-an-email', name: 'X', role: 'artist' }, 'email'],
  ['a user with an unknown role', 'POST', '/api/v1/users', { email: 'a@b.test', name: 'X', role: 'god' }, 'role'],
  ['a negative tier price', 'PATCH', '/api/v1/tiers/entry', { pricePerMinuteUsd: -1 }, 'pricePerMinuteUsd'],
  ['a huge tier price', 'PATCH', '/api/v1/tiers/entry', { pricePerMinuteUsd: 1e9 }, 'pricePerMinuteUsd'],
  ['an empty tier update', 'PATCH', '/api/v1/tiers/entry', {}, ''],
  ['a key without a name', 'POST', '/api/v1/api-keys', {}, 'name'],
];

for (const [what, method, path, body, field] of badOthers) {
  test(`${method} ${path} with ${what} → 400 naming ${field || 'the body'}, nothing written`, async (t) => {
    const before = await writes();
    const res = await c.call(method, path, { key: c.admin.key, body });
    t.is(res.status, 400, JSON.stringify(res.body));
    t.true(res.body.error.details.issues.some((i: { path: string }) => i.path === field), JSON.stringify(res.body.error.details.issues));
    t.deepEqual(await writes(), before);
  });
}

const badQueries: [string, string, string][] = [
  ['an unknown query parameter', '/api/v1/jobs?colour=red', 'colour'],
  ['a zero limit', '/api/v1/jobs?limit=0', 'limit'],
  ['a huge limit', '/api/v1/jobs?limit=100000', 'limit'],
  ['a made-up cursor', '/api/v1/jobs?cursor=abc', 'cursor'],
  ['an unknown state', '/api/v1/jobs?state=DANCING', 'state'],
  ['a malformed id', '/api/v1/jobs/not-a-uuid', 'id'],
  ['an audit filter with a bad date', '/api/v1/audit?since=yesterday', 'since'],
];

for (const [what, path, field] of badQueries) {
  test(`GET with ${what} → 400 naming ${field}`, async (t) => {
    const res = await c.call('GET', path, { key: c.admin.key });
    t.is(res.status, 400, JSON.stringify(res.body));
    t.true(res.body.error.details.issues.some((i: { path: string }) => i.path === field), JSON.stringify(res.body.error.details.issues));
  });
}

test('an unknown route → 404 in the error shape', async (t) => {
  const res = await c.call('GET', '/api/v1/nothing-here', { key: c.admin.key });
  t.is(res.status, 404);
  t.is(res.body.error.code, 'not_found');
});

test('a wrong method on a known path → 405', async (t) => {
  const res = await c.call('PUT', '/api/v1/tiers', { key: c.admin.key, body: {} });
  t.is(res.status, 405);
});
