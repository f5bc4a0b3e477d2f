import test from 'ava';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import { seedNode } from '../helpers/seed-node.js';

let c: TestCoordinator;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

test('a job is created queued, priced, split into chunks covering every frame once', async (t) => {
  const res = await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, chunkSize: 40 } });
  t.is(res.status, 201, JSON.stringify(res.body));
  const job = res.body;
  t.is(job.state, 'QUEUED');
  t.is(job.ownerId, artist.id);
  t.is(job.name, 'Main');
  t.is(job.framesTotal, 250);
  t.is(job.chunkSize, 40);
  t.is(job.chunkCount, 7);
  t.is(job.bundle, null);
  t.true(job.estimatedUsd > 0);

  const chunks = (await c.call('GET', `/api/v1/jobs/${job.id}/chunks`, { key: artist.key })).body.items;
  t.is(chunks.length, 7);
  const frames = chunks.flatMap((ch: { frameStart: number; frameEnd: number }) => Array.from({ length: ch.frameEnd - ch.frameStart + 1 }, (_, i) => ch.frameStart + i));
  t.deepEqual(frames, Array.from({ length: 250 }, (_, i) => i));
  t.true(chunks.every((ch: { state: string; attempt: number }) => ch.state === 'QUEUED' && ch.attempt === 0));
});

test('a job keeps the fonts and third-party effects its nodes need', async (t) => {
  const requirements = { fonts: ['BritannicBold', 'Myriad-Roman'], effects: ['VIDEOCOPILOT OpticalGlow'] };
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, requirements } })).body;
  const read = (await c.call('GET', `/api/v1/jobs/${job.id}`, { key: artist.key })).body;
  t.deepEqual([job.requirements, read.requirements], [requirements, requirements]);
});

test('the default chunk size adapts to the eligible nodes online', async (t) => {
  const provider = await c.user('provider');
  const body = { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 999 } };
  const alone = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body })).body;
  for (let i = 0; i < 4; i++) await seedNode(c.db, provider.id, { tierId: 'high-end' });
  const withFleet = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body })).body;
  t.true(withFleet.chunkCount > alone.chunkCount, `${withFleet.chunkCount} chunks with 4 nodes vs ${alone.chunkCount} with none`);
  t.true(withFleet.chunkCount >= 8, 'at least two chunks per eligible node');
  // nodes above the job's ceiling do not count
  const capped = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...body, maxTier: 'entry' } })).body;
  t.is(capped.chunkCount, alone.chunkCount);
});

test('the estimate held on a job is priced at its tier ceiling', async (t) => {
  const cheap = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, maxTier: 'entry' } })).body;
  const dear = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, maxTier: 'datacenter' } })).body;
  t.true(dear.estimatedUsd > cheap.estimatedUsd);
});

test('cancel: job and open chunks cancelled, a second cancel is refused, and it is audited', async (t) => {
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: sampleJob })).body;
  const res = await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
  t.is(res.status, 200);
  t.is(res.body.state, 'CANCELLED');
  t.truthy(res.body.finishedAt);
  const chunks = (await c.call('GET', `/api/v1/jobs/${job.id}/chunks`, { key: artist.key })).body.items;
  t.true(chunks.every((ch: { state: string }) => ch.state === 'CANCELLED'));
  const again = await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
  t.is(again.status, 409);
  t.is(again.body.error.code, 'illegal_transition');
  const audit = (await c.call('GET', `/api/v1/audit?action=job.`, { key: c.admin.key })).body.items.filter((a: { targetId: string }) => a.targetId === job.id);
  t.deepEqual(audit.map((a: { action: string; details: { to?: string } }) => `${a.action}${a.details.to ? `:${a.details.to}` : ''}`).sort(), [
    'job.create',
    'job.state:CANCELLED',
    'job.state:QUEUED',
  ]);
  t.true(audit.every((a: { actorId: string }) => a.actorId === artist.id));
});

test('listing pages through every job exactly once, newest first', async (t) => {
  const other = await c.user('artist');
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push((await c.call('POST', '/api/v1/jobs', { key: other.key, body: sampleJob })).body.id);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await c.call('GET', `/api/v1/jobs?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { key: other.key });
    t.true(page.body.items.length <= 3);
    seen.push(...page.body.items.map((j) => j.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  t.deepEqual(seen, [...ids].reverse());
  const queued = await c.call('GET', '/api/v1/jobs?state=CANCELLED', { key: other.key });
  t.is(queued.body.items.length, 0);
});
