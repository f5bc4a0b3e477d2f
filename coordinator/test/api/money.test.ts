import test from 'ava';
import type { RenderNode } from '@cloudexport/shared';
import { manualClock, sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';

// Charges per done attempt and every figure summed from them, checked against sums done by hand.
// The clock is the test's: an RTX 4090 is high-end, $0.50 per GPU-minute = 500 000 µ$ a minute.

const clock = manualClock(new Date('2026-03-09T23:59:00Z'));
let c: TestCoordinator;
let artist: Identity;
let otherArtist: Identity;
let provider: Identity;
let otherProvider: Identity;
let agent: TestAgent;
let jobId: string;
const nodeEvents: RenderNode[] = [];
/** The first chunk as the live node update showed it while it rendered. */
const t0check: { currentChunk?: RenderNode['currentChunk'] } = {};

test.before(async () => {
  // leases outlast the hand-moved clock; nothing here is lost
  c = await startTestCoordinator({ clock, timing: { leaseMs: 7 * 86_400_000 } });
  artist = await c.user('artist');
  otherArtist = await c.user('artist');
  provider = await c.user('provider');
  otherProvider = await c.user('provider');
  c.coordinator.deps.bus.on('node', (n) => nodeEvents.push(n));
  agent = await TestAgent.enroll(c, provider.key, 'NVIDIA GeForce RTX 4090', 'earner');
  await agent.connect(agent.auth({ timestamp: clock.now().getTime() }));
  await agent.hello();

  jobId = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, name: 'Paid', comp: { ...sampleJob.comp, frameEnd: 29 }, chunkSize: 10 } })).body.id;
  const nth = (i: number) => eventually(() => agent.assignments.filter((a) => a.jobId === jobId)[i], 10_000, `assignment ${i}`);
  const done = async (a: { chunkId: string; epoch: number }) => agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 10 });

  // 23:59:00 → 23:59:30 on March 9: 30 s
  const first = await nth(0);
  const live = await eventually(() => nodeEvents.find((n) => n.id === agent.nodeId && n.currentChunk?.id === first.chunkId), 5_000, 'a node event with its chunk');
  t0check.currentChunk = live.currentChunk;
  clock.advance(30_000);
  await done(first);
  // 23:59:30 → 00:00:30 on March 10: 60 s
  const second = await nth(1);
  clock.advance(60_000);
  await done(second);
  // 45 s on a node that lost its tier: charged nothing
  const third = await nth(2);
  await c.db.orm.em.getConnection().execute(`update nodes set tier_id = null where id = ?`, [agent.nodeId]);
  clock.advance(45_000);
  await done(third);
  await eventually(async () => (await c.call('GET', `/api/v1/jobs/${jobId}`, { key: artist.key })).body.state === 'COMPLETED', 10_000, 'completed');
  // a second report of a done chunk is refused and charges nothing more
  const again = await done(first);
  if (again.ok) throw new Error('a duplicate done was accepted');
});
test.after.always(async () => {
  agent?.close();
  await c?.stop();
});

test('a node event carries the chunk it renders', (t) => {
  t.like(t0check.currentChunk, { jobId, jobName: 'Paid', kind: 'frames', frameStart: 0, frameEnd: 9 });
});

test('each done attempt is charged once: its GPU seconds at its node’s tier price', async (t) => {
  const rows = await c.db.orm.em
    .getConnection()
    .execute<{ outcome: string; tier_id: string | null; gpu_seconds: number; charged_micros: string | number }[]>(
      `select outcome, tier_id, gpu_seconds, charged_micros from chunk_attempts where job_id = ? order by started_at`,
      [jobId],
    );
  t.deepEqual(
    rows.map((r) => [r.outcome, r.tier_id, Number(r.gpu_seconds), Number(r.charged_micros)]),
    [
      ['done', 'high-end', 30, 250_000], // 30 s × 500 000 / 60
      ['done', 'high-end', 60, 500_000],
      ['done', null, 45, 0],
    ],
  );
  const attempts = (await c.call('GET', `/api/v1/jobs/${jobId}/attempts`, { key: artist.key })).body.items;
  t.deepEqual(attempts.map((a: { chargedUsd: number }) => a.chargedUsd), [0.25, 0.5, 0]);
  t.deepEqual(attempts.map((a: { nodeName: string; jobName: string }) => `${a.jobName}/${a.nodeName}`), ['Paid/earner', 'Paid/earner', 'Paid/earner']);
});

test('the job’s cost and start, and the node’s earnings, are those charges summed', async (t) => {
  const job = (await c.call('GET', `/api/v1/jobs/${jobId}`, { key: artist.key })).body;
  t.is(job.costUsd, 0.75);
  t.is(job.startedAt, '2026-03-09T23:59:00.000Z');
  const listed = (await c.call('GET', '/api/v1/jobs', { key: artist.key })).body.items.find((j: { id: string }) => j.id === jobId);
  t.is(listed.costUsd, 0.75);
  const node = (await c.call('GET', `/api/v1/nodes/${agent.nodeId}`, { key: provider.key })).body;
  t.is(node.earningsUsd, 0.525); // 70 % of $0.75
  t.is(node.currentChunk, null);
  const fleet = (await c.call('GET', '/api/v1/nodes', { key: c.admin.key })).body.items.find((n: { id: string }) => n.id === agent.nodeId);
  t.is(fleet.earningsUsd, 0.525);
  const last = nodeEvents.filter((n) => n.id === agent.nodeId).at(-1)!;
  t.is(last.earningsUsd, 0.525, 'the live update carries the earnings too');
});

test('spending: every UTC day of the period, zeros included, and per job', async (t) => {
  const res = await c.call('GET', '/api/v1/spending?days=3', { key: artist.key });
  t.is(res.status, 200);
  t.deepEqual(res.body, {
    totalUsd: 0.75,
    byDay: [
      { day: '2026-03-08', usd: 0, frames: 0 },
      { day: '2026-03-09', usd: 0.25, frames: 10 },
      { day: '2026-03-10', usd: 0.5, frames: 20 },
    ],
    byJob: [{ jobId, jobName: 'Paid', usd: 0.75, frames: 30 }],
  });
  const asAdmin = await c.call('GET', `/api/v1/spending?days=3&userId=${artist.id}`, { key: c.admin.key });
  t.is(asAdmin.body.totalUsd, 0.75, 'an admin sees any artist’s');
  const other = await c.call('GET', '/api/v1/spending', { key: otherArtist.key });
  t.is(other.body.totalUsd, 0);
  t.is(other.body.byDay.length, 30, 'thirty days by default');
  t.true(other.body.byDay.every((d: { usd: number }) => d.usd === 0));
});

test('earnings: the provider’s share per day and per node, with GPU minutes', async (t) => {
  const res = await c.call('GET', '/api/v1/earnings?days=3', { key: provider.key });
  t.is(res.status, 200);
  t.deepEqual(res.body, {
    totalUsd: 0.525,
    share: 0.7,
    byDay: [
      { day: '2026-03-08', usd: 0, chunks: 0 },
      { day: '2026-03-09', usd: 0.175, chunks: 1 },
      { day: '2026-03-10', usd: 0.35, chunks: 2 },
    ],
    byNode: [{ nodeId: agent.nodeId, nodeName: 'earner', usd: 0.525, chunks: 3, gpuMinutes: 2.25 }],
  });
  const asAdmin = await c.call('GET', `/api/v1/earnings?days=1&userId=${provider.id}`, { key: c.admin.key });
  t.is(asAdmin.body.totalUsd, 0.35, 'today only');
});

test('no one sees another user’s money or a node’s history that is not theirs', async (t) => {
  const spending = await c.call('GET', `/api/v1/spending?userId=${artist.id}`, { key: otherArtist.key });
  t.is(spending.status, 403);
  t.regex(spending.body.error.message, /Only admins may see another user’s spending/);
  t.is((await c.call('GET', `/api/v1/earnings?userId=${provider.id}`, { key: otherProvider.key })).status, 403);
  t.is((await c.call('GET', `/api/v1/jobs/${jobId}/attempts`, { key: otherArtist.key })).status, 404);
  t.is((await c.call('GET', `/api/v1/nodes/${agent.nodeId}/attempts`, { key: otherProvider.key })).status, 404);
  t.is((await c.call('GET', `/api/v1/nodes/${agent.nodeId}/blocks`, { key: otherProvider.key })).status, 404);
  t.is((await c.call('GET', '/api/v1/earnings', { key: artist.key })).status, 403, 'artists have no earnings');
});
