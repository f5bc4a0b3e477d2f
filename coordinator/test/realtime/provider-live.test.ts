import test from 'ava';
import type { FrameProgress, RenderNode } from '@cloudexport/shared';
import { sampleJob, startTestCoordinator, type TestCoordinator } from '../helpers/test-coordinator.js';
import { connectLive } from '../helpers/live-socket.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';

let c: TestCoordinator;

test.before(async () => {
  c = await startTestCoordinator();
});
test.after.always(async () => c?.stop());

const live = (key: string) => connectLive(c.url, key);

test('a provider watching { fleet: true } gets their own nodes only; an artist is refused', async (t) => {
  const mine = await c.user('provider');
  const theirs = await c.user('provider');
  const artist = await c.user('artist');

  const watcher = await live(mine.key);
  const seen: RenderNode[] = [];
  watcher.on('node', (n: RenderNode) => seen.push(n));
  t.deepEqual(await watcher.emitWithAck('subscribe', { fleet: true }), { ok: true });
  const jobEvents: unknown[] = [];
  watcher.on('job', (j: unknown) => jobEvents.push(j));
  // an artist's job comes and goes on the admins' fleet room meanwhile
  const created = await c.call('POST', '/api/v1/jobs', { key: artist.key, body: sampleJob });
  t.is(created.status, 201);

  const snoop = await live(artist.key);
  const refused = await snoop.emitWithAck('subscribe', { fleet: true });
  t.false(refused.ok);
  t.regex(String(refused.message), /providers/);

  const other = await TestAgent.enroll(c, theirs.key);
  await other.connect();
  await other.hello();
  const own = await TestAgent.enroll(c, mine.key);
  await own.connect();
  await own.hello();
  await eventually(() => seen.some((n) => n.id === own.nodeId), 10_000, 'the provider sees their node come online');

  other.close();
  own.close();
  await eventually(() => seen.some((n) => n.id === own.nodeId && !n.connected), 10_000, 'and go offline');
  t.false(seen.some((n) => n.id === other.nodeId), 'another provider’s node is never sent');
  t.true(seen.every((n) => n.ownerId === mine.id));
  t.is(jobEvents.length, 0, 'no job events: those are the artists’ and the admins’');
  watcher.close();
  snoop.close();
});

// serial: no other test's node takes its chunks
test.serial('a provider sees the frame count of the chunk their node renders, without the job’s figures; not another provider’s', async (t) => {
  const mine = await c.user('provider');
  const theirs = await c.user('provider');
  const artist = await c.user('artist');
  const watcher = await live(mine.key);
  const progress: FrameProgress[] = [];
  watcher.on('progress', (p: FrameProgress) => progress.push(p));
  t.deepEqual(await watcher.emitWithAck('subscribe', { fleet: true }), { ok: true });

  const own = await TestAgent.enroll(c, mine.key);
  const other = await TestAgent.enroll(c, theirs.key);
  for (const agent of [own, other]) {
    await agent.connect();
    await agent.hello();
  }
  // two chunks of 10 frames: one each (a node holds one chunk at a time)
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 19 }, chunkSize: 10, priority: 100 } })).body;
  const mineA = await eventually(() => own.assignments.find((a) => a.jobId === job.id), 10_000, 'my node’s chunk');
  const theirsA = await eventually(() => other.assignments.find((a) => a.jobId === job.id), 10_000, 'their node’s chunk');
  await other.send('chunk:progress', { chunkId: theirsA.chunkId, epoch: theirsA.epoch, state: 'RENDERING', framesDone: 7, lastFrame: 16 });
  await own.send('chunk:progress', { chunkId: mineA.chunkId, epoch: mineA.epoch, state: 'RENDERING', framesDone: 4, lastFrame: 3 });
  const seen = await eventually(() => progress.find((p) => p.chunkId === mineA.chunkId && p.chunkFramesDone === 4), 10_000, 'my chunk’s count');
  t.like(seen, { jobId: job.id, jobFramesDone: 0, framesTotal: 0, lastFrame: 3 });
  // a later report of mine comes after theirs surely went wherever it went
  await own.send('chunk:progress', { chunkId: mineA.chunkId, epoch: mineA.epoch, state: 'RENDERING', framesDone: 5, lastFrame: 4 });
  await eventually(() => progress.find((p) => p.chunkId === mineA.chunkId && p.chunkFramesDone === 5), 10_000, 'my next count');
  t.false(progress.some((p) => p.chunkId === theirsA.chunkId), 'another provider’s chunk is never sent');
  own.close();
  other.close();
  watcher.close();
});
