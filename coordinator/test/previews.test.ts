import test from 'ava';
import type { ChunkAssignment, Job, JobPreview } from '@cloudexport/shared';
import type { Socket } from 'socket.io-client';
import { EventBus } from '../src/realtime/event-bus.js';
import { PreviewHub, PreviewOutbox } from '../src/realtime/preview-hub.js';
import { manualClock, sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from './helpers/test-coordinator.js';
import { connectLive } from './helpers/live-socket.js';
import { eventually, TestAgent } from './helpers/test-agent.js';

// Live previews with the real coordinator, agents and live clients over real Socket.IO.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;
let stranger: Identity;

test.before(async () => {
  c = await startTestCoordinator({ timing: { heartbeatIntervalMs: 500, leaseMs: 2_000, sweepIntervalMs: 200, disconnectGraceMs: 300 } });
  provider = await c.user('provider');
  artist = await c.user('artist');
  stranger = await c.user('artist');
});
test.after.always(async () => c?.stop());

// A real 16×16 JPEG (ffmpeg's); a comment segment after SOI makes each frame's bytes distinct.
const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisrKisvLzIyMjw8OTlGRkhWVmf/xABKAAEAAAAAAAAAAAAAAAAAAAAAAQEAAAAAAAAAAAAAAAAAAAAAEAEAAAAAAAAAAAAAAAAAAAAAEQEAAAAAAAAAAAAAAAAAAAAA/8AAEQgAEAAQAwEiAAIRAAMRAP/aAAwDAQACEQMRAD8AAA//2Q==',
  'base64',
);
function jpegOf(frame: number): Buffer {
  const text = Buffer.from(`frame ${frame}`);
  const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, text.length + 2]), text]);
  return Buffer.concat([TINY_JPEG.subarray(0, 2), comment, TINY_JPEG.subarray(2)]);
}
const previewOf = (a: { chunkId: string; epoch: number }, frame: number) => ({ chunkId: a.chunkId, epoch: a.epoch, frame, width: 16, height: 16, jpeg: jpegOf(frame).toString('base64') });

interface Watcher {
  socket: Socket;
  got: JobPreview[];
}

/** A live client that takes each preview and acknowledges it, as the web console does (previews come only after a subscribe). */
async function live(key: string): Promise<Watcher> {
  const socket = await connectLive(c.url, key);
  const got: JobPreview[] = [];
  socket.on('job:preview', (p: JobPreview, ack: () => void) => {
    got.push(p);
    ack();
  });
  return { socket, got };
}

/** GET the preview as bytes (the helper's call() reads text). */
async function getPreview(jobId: string, key: string) {
  const res = await fetch(`${c.url}/api/v1/jobs/${jobId}/preview`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A one-chunk job of the artist's, rendering on a fresh node. */
async function renderingJob(name: string): Promise<{ job: Job; agent: TestAgent; a: ChunkAssignment }> {
  const agent = await TestAgent.enroll(c, provider.key, undefined, name);
  await agent.connect();
  await agent.hello();
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 9 }, chunkSize: 10 } })).body as Job;
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === job.id), 10_000, 'assignment');
  await agent.send('chunk:progress', { chunkId: a.chunkId, epoch: a.epoch, state: 'RENDERING', framesDone: 1, lastFrame: 0 });
  return { job, agent, a };
}

const cancel = (jobId: string) => c.call('POST', `/api/v1/jobs/${jobId}/cancel`, { key: artist.key });

test.serial('the holder’s preview reaches the owner and admins, at once for a late subscriber; strangers get nothing; REST serves the latest JPEG', async (t) => {
  const { job, agent, a } = await renderingJob('previewing');
  const owner = await live(artist.key);
  const admin = await live(c.admin.key);
  const snoop = await live(stranger.key);
  t.deepEqual(await owner.socket.emitWithAck('subscribe', { jobId: job.id }), { ok: true });
  t.deepEqual(await admin.socket.emitWithAck('subscribe', { jobId: job.id }), { ok: true });
  t.false((await snoop.socket.emitWithAck('subscribe', { jobId: job.id })).ok);

  const none = await getPreview(job.id, artist.key);
  t.is(none.status, 404, 'no preview before a node sends one');
  t.regex(JSON.parse(none.bytes.toString()).error.message, /has no preview/);

  for (const frame of [3, 4]) {
    t.deepEqual(await agent.send('chunk:preview', previewOf(a, frame)), { ok: true });
    for (const w of [owner, admin]) await eventually(() => w.got.find((p) => p.frame === frame), 5_000, `frame ${frame} pushed`);
  }
  const pushed = owner.got.at(-1)!;
  t.like(pushed, { jobId: job.id, chunkId: a.chunkId, frame: 4, width: 16, height: 16 });
  t.true(Buffer.from(pushed.jpeg, 'base64').equals(jpegOf(4)));
  t.deepEqual(admin.got.map((p) => p.frame), [3, 4]);

  const got = await getPreview(job.id, artist.key);
  t.is(got.status, 200);
  t.is(got.headers.get('content-type'), 'image/jpeg');
  t.is(got.headers.get('cache-control'), 'no-store');
  t.true(got.bytes.equals(jpegOf(4)), 'the latest JPEG, byte for byte');
  t.is((await getPreview(job.id, c.admin.key)).status, 200);
  const hidden = await getPreview(job.id, stranger.key);
  t.is(hidden.status, 404, 'another artist’s job does not exist for them');
  t.is(JSON.parse(hidden.bytes.toString()).error.code, 'not_found');
  t.is((await getPreview(job.id, provider.key)).status, 403, 'providers may not watch jobs');

  // a subscriber that comes late gets the latest right away
  const late = await live(artist.key);
  t.deepEqual(await late.socket.emitWithAck('subscribe', { jobId: job.id }), { ok: true });
  const first = await eventually(() => late.got[0], 5_000, 'latest on subscribe');
  t.is(first.frame, 4);
  t.deepEqual(snoop.got, [], 'the refused subscriber saw nothing');

  // the job ends: its preview goes
  t.is((await cancel(job.id)).status, 200);
  await eventually(async () => (await getPreview(job.id, artist.key)).status === 404, 5_000, 'preview dropped with the job');
  t.is(c.coordinator.deps.previews.latest(job.id), null);
  for (const w of [owner, admin, snoop, late]) w.socket.close();
  agent.close();
});

test.serial('job:preview carries when the node learned the frame was done (renderedAt), and null from agents that do not say', async (t) => {
  const { job, agent, a } = await renderingJob('timed-renderer');
  const owner = await live(artist.key);
  t.deepEqual(await owner.socket.emitWithAck('subscribe', { jobId: job.id }), { ok: true });
  const renderedAt = new Date(Date.now() - 150).toISOString();
  t.deepEqual(await agent.send('chunk:preview', { ...previewOf(a, 5), renderedAt }), { ok: true });
  const timed = await eventually(() => owner.got.find((p) => p.frame === 5), 5_000, 'the timed preview');
  t.is(timed.renderedAt, renderedAt, 'passed through as the agent sent it');
  t.true(Date.parse(timed.receivedAt) >= Date.parse(renderedAt), 'received after it was rendered');
  t.like(await agent.send('chunk:preview', { ...previewOf(a, 6), renderedAt: 'yesterday' }), { ok: false, code: 'invalid' }, 'an ISO time or nothing');
  t.deepEqual(await agent.send('chunk:preview', previewOf(a, 7)), { ok: true });
  t.is((await eventually(() => owner.got.find((p) => p.frame === 7), 5_000, 'the untimed preview')).renderedAt, null);
  await cancel(job.id);
  owner.socket.close();
  agent.close();
});

test.serial('only the node holding the chunk under its epoch may send its preview; refused ones are not kept', async (t) => {
  const { job, agent: first, a } = await renderingJob('first-holder');
  const owner = await live(artist.key);
  t.deepEqual(await owner.socket.emitWithAck('subscribe', { jobId: job.id }), { ok: true });
  const second = await TestAgent.enroll(c, provider.key, undefined, 'second-holder');
  await second.connect();
  await second.hello();

  const foreign = await second.send('chunk:preview', previewOf(a, 2));
  t.like(foreign, { ok: false, code: 'not_yours' });

  first.close(); // it vanishes: the chunk goes to the second node under the next epoch
  const b = await eventually(() => second.assignments.find((x) => x.chunkId === a.chunkId), 15_000, 'reassignment');
  t.is(b.epoch, a.epoch + 1);
  const late = new TestAgent(c.url, first.nodeId, first.privateKeyPem);
  await late.connect();
  t.deepEqual((await late.hello([{ chunkId: a.chunkId, epoch: a.epoch, framesDone: 3 }])).cancel, [a.chunkId]);
  t.like(await late.send('chunk:preview', previewOf(a, 3)), { ok: false, code: 'stale_epoch' }, 'the late node’s frame is refused');
  t.like(await second.send('chunk:preview', previewOf({ chunkId: b.chunkId, epoch: b.epoch + 1 }, 4)), { ok: false, code: 'stale_epoch' });
  t.like(await second.send('chunk:preview', { ...previewOf(b, 5), jpeg: Buffer.from('<svg onload=alert(1)>').toString('base64') }), { ok: false, code: 'invalid' }, 'only JPEGs');
  t.like(await second.send('chunk:preview', { ...previewOf(b, 5), jpeg: 'x'.repeat(300_000) }), { ok: false, code: 'invalid' }, 'size capped by the schema');
  t.is((await getPreview(job.id, artist.key)).status, 404, 'nothing refused was kept');

  t.deepEqual(await second.send('chunk:preview', previewOf(b, 6)), { ok: true });
  await eventually(() => owner.got.length > 0, 5_000, 'the holder’s preview pushed');
  t.deepEqual(owner.got.map((p) => p.frame), [6], 'subscribers saw only the holder’s preview');
  t.true((await getPreview(job.id, artist.key)).bytes.equals(jpegOf(6)));

  await cancel(job.id);
  owner.socket.close();
  late.close();
  second.close();
});

test.serial('a subscriber that stops reading gets the newest preview after, never a backlog; others keep up', async (t) => {
  const { job, agent, a } = await renderingJob('fast-renderer');
  t.deepEqual(await agent.send('chunk:preview', previewOf(a, 1)), { ok: true });
  const slow = await live(artist.key);
  const fast = await live(artist.key);
  for (const w of [slow, fast]) t.deepEqual(await w.socket.emitWithAck('subscribe', { jobId: job.id }), { ok: true });
  const hub = c.coordinator.deps.previews;
  await eventually(() => slow.got.length === 1 && hub.stats(slow.socket.id!)?.queued === 0, 5_000, 'the latest taken and acknowledged');
  t.is(slow.got[0]!.frame, 1);

  // the client stops reading its connection, as a stalled browser tab or a saturated link does
  const tcp = (slow.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
  tcp.pause();
  const LAST = 41;
  let peak = 0;
  for (let frame = 2; frame <= LAST; frame += 1) {
    t.deepEqual(await agent.send('chunk:preview', previewOf(a, frame)), { ok: true });
    peak = Math.max(peak, hub.stats(slow.socket.id!)!.queued);
  }
  await eventually(() => fast.got.find((p) => p.frame === LAST), 5_000, 'the reading client keeps up');
  const stalled = hub.stats(slow.socket.id!)!;
  t.true(peak <= 2 && stalled.peak <= 2, `at most one preview on the wire and one waiting (peak ${stalled.peak})`);
  t.is(stalled.queued, 2);
  t.is(stalled.replaced, LAST - 3, 'every preview between the one on the wire and the newest was dropped');
  t.is(slow.got.length, 1, 'nothing reached the stalled client');

  tcp.resume();
  await eventually(() => slow.got.length === 3 && hub.stats(slow.socket.id!)?.queued === 0, 5_000, 'the stalled client catches up');
  t.deepEqual(slow.got.map((p) => p.frame), [1, 2, LAST], 'the one on the wire, then the newest');
  t.true(Buffer.from(slow.got[2]!.jpeg, 'base64').equals(jpegOf(LAST)));

  await cancel(job.id);
  for (const w of [slow, fast]) w.socket.close();
  agent.close();
});

test('the hub forgets a preview idle past its TTL, keeps at most maxJobs, and drops a job that ended', (t) => {
  const clock = manualClock();
  const bus = new EventBus();
  const hub = new PreviewHub({ clock, bus, idleTtlMs: 60_000, maxJobs: 2 });
  const ref = { chunkId: '00000000-0000-4000-8000-000000000001', epoch: 1 };
  t.false(hub.put('job-a', { ...previewOf(ref, 1), jpeg: Buffer.from('GIF89a').toString('base64') }), 'not a JPEG');
  t.true(hub.put('job-a', previewOf(ref, 1)));
  clock.advance(60_001);
  t.is(hub.latest('job-a'), null, 'idle past the TTL');

  for (const job of ['job-a', 'job-b', 'job-c']) t.true(hub.put(job, previewOf(ref, 2)));
  t.is(hub.latest('job-a'), null, 'the longest idle went to make room');
  t.truthy(hub.latest('job-b'));
  bus.emit('job', { id: 'job-c', state: 'COMPLETED' } as Job);
  t.is(hub.latest('job-c'), null, 'dropped when the job ended');
  t.truthy(hub.latest('job-b'));
});

test('an outbox keeps one preview on the wire and the newest waiting per job', (t) => {
  const sent: { preview: JobPreview; done: () => void }[] = [];
  const outbox = new PreviewOutbox((preview, done) => sent.push({ preview, done }));
  const p = (jobId: string, frame: number) => ({ jobId, chunkId: 'c', frame, width: 1, height: 1, jpeg: '', receivedAt: '', renderedAt: null });
  outbox.offer(p('a', 1));
  for (let frame = 2; frame <= 5; frame += 1) outbox.offer(p('a', frame));
  outbox.offer(p('b', 1));
  t.is(sent.length, 1);
  t.like(outbox.stats(), { queued: 3, peak: 3, sent: 1, replaced: 3 });
  sent[0]!.done();
  sent[0]!.done(); // a late ack after a timeout counts once
  t.deepEqual(sent.map((s) => `${s.preview.jobId}${s.preview.frame}`), ['a1', 'a5'], 'the job waiting longest goes next, with its newest');
  outbox.forget('b');
  sent[1]!.done();
  t.is(sent.length, 2, 'a forgotten job’s preview is not sent');
  t.like(outbox.stats(), { queued: 0, sent: 2 });
});
