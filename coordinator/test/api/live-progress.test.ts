import test from 'ava';
import type { FrameProgress, Job } from '@cloudexport/shared';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import { connectLive } from '../helpers/live-socket.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;
let stranger: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  provider = await c.user('provider');
  artist = await c.user('artist');
  stranger = await c.user('artist');
});
test.after.always(async () => c?.stop());

const live = (key: string) => connectLive(c.url, key);

test('an artist follows their job frame by frame; strangers and bad keys are refused', async (t) => {
  await t.throwsAsync(live('ce_00000000_wrong'), { message: /Invalid or revoked API key/ });
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 19 }, chunkSize: 20 } })).body;
  const watcher = await live(artist.key);
  const progress: FrameProgress[] = [];
  const states: string[] = [];
  watcher.on('progress', (p: FrameProgress) => progress.push(p));
  watcher.on('job', (j: Job) => states.push(j.state));
  t.deepEqual(await watcher.emitWithAck('subscribe', { jobId: job.id }), { ok: true });

  const snoop = await live(stranger.key);
  const refused = await snoop.emitWithAck('subscribe', { jobId: job.id });
  t.false(refused.ok);
  t.false((await snoop.emitWithAck('subscribe', { fleet: true })).ok, 'only admins watch the fleet');

  const agent = await TestAgent.enroll(c, provider.key);
  await agent.connect();
  await agent.hello();
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === job.id), 10_000, 'assignment');
  for (const n of [5, 12, 20]) {
    const sentAt = Date.now();
    await agent.send('chunk:progress', { chunkId: a.chunkId, epoch: a.epoch, state: 'RENDERING', framesDone: n, lastFrame: n - 1 });
    // pushed, not polled: nothing else would bring it (the time is logged, not asserted)
    const p = await eventually(() => progress.find((x) => x.chunkFramesDone === n), 10_000, `progress ${n}`);
    t.log(`frame ${n}: sent → watcher ${Date.now() - sentAt} ms`);
    t.is(p.framesTotal, 20);
    t.is(p.jobFramesDone, n);
  }
  await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 20 });
  await eventually(() => states.includes('COMPLETED'), 5_000, 'COMPLETED pushed');
  t.true(states.includes('RENDERING'));

  const admin = await live(c.admin.key);
  const nodes: string[] = [];
  admin.on('node', (n: { id: string }) => nodes.push(n.id));
  t.deepEqual(await admin.emitWithAck('subscribe', { fleet: true }), { ok: true });
  agent.close();
  await eventually(() => nodes.includes(agent.nodeId), 10_000, 'the fleet sees the node go offline');
  for (const s of [watcher, snoop, admin]) s.close();
});

// serial: no other test's node takes its chunks
test.serial('{ myJobs: true } brings every job of the caller’s, those created later too, and none of anyone else’s', async (t) => {
  const watcher = await live(artist.key);
  const jobs: Job[] = [];
  const progress: FrameProgress[] = [];
  watcher.on('job', (j: Job) => jobs.push(j));
  watcher.on('progress', (p: FrameProgress) => progress.push(p));
  t.deepEqual(await watcher.emitWithAck('subscribe', { myJobs: true }), { ok: true });
  const bad = await watcher.emitWithAck('subscribe', { myJobs: false });
  t.false(bad.ok);
  t.regex(String(bad.message), /myJobs/);

  const theirs = (await c.call('POST', '/api/v1/jobs', { key: stranger.key, body: sampleJob })).body as Job;
  const mine = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 9 }, chunkSize: 10, priority: 100 } })).body as Job;
  await eventually(() => jobs.find((j) => j.id === mine.id), 10_000, 'the job submitted after subscribing');

  const agent = await TestAgent.enroll(c, provider.key);
  await agent.connect();
  await agent.hello();
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === mine.id), 10_000, 'assignment');
  await agent.send('chunk:progress', { chunkId: a.chunkId, epoch: a.epoch, state: 'RENDERING', framesDone: 6, lastFrame: 5 });
  const p = await eventually(() => progress.find((x) => x.jobId === mine.id && x.chunkFramesDone === 6), 10_000, 'its progress');
  t.like(p, { jobFramesDone: 6, framesTotal: 10 });
  await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 10 });
  await eventually(() => jobs.some((j) => j.id === mine.id && j.state === 'COMPLETED'), 10_000, 'COMPLETED');
  t.false(jobs.some((j) => j.id === theirs.id), 'another artist’s job is never sent');
  t.true(jobs.every((j) => j.ownerId === artist.id));
  agent.close();
  watcher.close();
  // queued ahead of the next test's job, it would hold that test's only node
  await c.call('POST', `/api/v1/jobs/${theirs.id}/cancel`, { key: stranger.key });
});
