import test from 'ava';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';

// Leases, fencing, failure rules and admin commands, with the real gateway and short timings.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator({ timing: { heartbeatIntervalMs: 500, leaseMs: 2_000, sweepIntervalMs: 200, disconnectGraceMs: 300 } });
  provider = await c.user('provider');
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

const oneChunkJob = (patch: Record<string, unknown> = {}) => ({ ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 9 }, chunkSize: 10, ...patch });
const job = async (id: string) => (await c.call('GET', `/api/v1/jobs/${id}`, { key: artist.key })).body;
const chunks = async (id: string) => (await c.call('GET', `/api/v1/jobs/${id}/chunks`, { key: artist.key })).body.items;

test.serial('a node that vanishes loses its chunk, another node renders it, and the late one is fenced out', async (t) => {
  const first = await TestAgent.enroll(c, provider.key, undefined, 'vanishing');
  await first.connect();
  await first.hello();
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: oneChunkJob() })).body;
  const a = await eventually(() => first.assignments.find((x) => x.jobId === created.id), 10_000, 'assignment');
  await first.send('chunk:progress', { chunkId: a.chunkId, epoch: a.epoch, state: 'RENDERING', framesDone: 3, lastFrame: 3 });
  const lostAt = Date.now();
  first.close(); // as good as kill -9: no goodbye

  const second = await TestAgent.enroll(c, provider.key, undefined, 'taking-over');
  await second.connect();
  await second.hello();
  const b = await eventually(() => second.assignments.find((x) => x.chunkId === a.chunkId), 15_000, 'reassignment');
  t.true(Date.now() - lostAt < 15_000, 'requeued within 15 s');
  t.is(b.epoch, a.epoch + 1);

  // the first node comes back late and reports: refused
  const late = new TestAgent(c.url, first.nodeId, first.privateKeyPem);
  await late.connect();
  const hello = await late.hello([{ chunkId: a.chunkId, epoch: a.epoch, framesDone: 9 }]);
  t.deepEqual(hello.cancel, [a.chunkId], 'told to drop the chunk it no longer holds');
  const refused = await late.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 10 });
  t.false(refused.ok);
  t.is(refused.code, 'stale_epoch');

  t.deepEqual(await second.send('chunk:done', { chunkId: b.chunkId, epoch: b.epoch, frames: 10 }), { ok: true });
  const done = await eventually(async () => ((await job(created.id)).state === 'COMPLETED' ? job(created.id) : null));
  t.is(done.framesDone, 10);
  const [chunk] = await chunks(created.id);
  t.is(chunk.nodeId, second.nodeId);
  t.is(chunk.attempt, 1);
  late.close();
  second.close();
});

test.serial('a chunk fails for good only after three different nodes failed it; the job shows the aerender error', async (t) => {
  const agents = await Promise.all([0, 1, 2].map((i) => TestAgent.enroll(c, provider.key, undefined, `failing-${i}`)));
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: oneChunkJob({ priority: 90 }) })).body;
  const seen = new Set<string>();
  for (const agent of agents) {
    await agent.connect();
    await agent.hello();
    const a = await eventually(() => agent.assignments.find((x) => x.jobId === created.id), 10_000, 'assignment');
    t.false(seen.has(a.chunkId + a.epoch));
    seen.add(a.chunkId + a.epoch);
    const ack = await agent.send('chunk:failed', { chunkId: a.chunkId, epoch: a.epoch, reason: 'aerender_error', message: 'aerender ERROR: After Effects error: missing plug-in "Trapcode Particular"', lastLines: [] });
    t.deepEqual(ack, { ok: true });
    agent.close();
    if (agent !== agents[2]) t.not((await job(created.id)).state, 'PERMANENTLY_FAILED', 'one or two failing nodes do not sink the job');
  }
  const failed = await job(created.id);
  t.is(failed.state, 'PERMANENTLY_FAILED');
  t.regex(failed.error, /failed on 3 different nodes: aerender ERROR: After Effects error: missing plug-in/);
  const [chunk] = await chunks(created.id);
  t.is(chunk.state, 'FAILED');
});

test.serial('a node failing the same job twice is blocklisted for it; one failing everything is quarantined', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key, undefined, 'flaky');
  await agent.connect();
  await agent.hello();
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 29 }, chunkSize: 10, priority: 95 } })).body;
  for (let i = 0; i < 2; i++) {
    const a = await eventually(() => agent.assignments.filter((x) => x.jobId === created.id)[i], 10_000, `assignment ${i}`);
    await agent.send('chunk:failed', { chunkId: a.chunkId, epoch: a.epoch, reason: 'exit_code', message: `crash ${i}`, lastLines: [] });
  }
  await new Promise((r) => setTimeout(r, 1_500));
  t.is(agent.assignments.filter((x) => x.jobId === created.id).length, 2, 'no third chunk of that job for the blocklisted node');
  const audit = (await c.call('GET', `/api/v1/audit?action=node.blocklist`, { key: c.admin.key })).body.items;
  t.true(audit.some((e: { targetId: string; details: { jobId: string } }) => e.targetId === agent.nodeId && e.details.jobId === created.id));

  // three more failures on other jobs make five in a row: quarantine
  const others: string[] = [];
  for (let i = 0; i < 3; i++) {
    const other = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: oneChunkJob({ priority: 99 }) })).body;
    others.push(other.id);
    const a = await eventually(() => agent.assignments.find((x) => x.jobId === other.id), 10_000, 'another job');
    await agent.send('chunk:failed', { chunkId: a.chunkId, epoch: a.epoch, reason: 'exit_code', message: 'crash again', lastLines: [] });
  }
  const node = await eventually(async () => {
    const n = (await c.call('GET', `/api/v1/nodes/${agent.nodeId}`, { key: provider.key })).body;
    return n.state === 'disabled' && n;
  });
  t.regex(node.disabledReason, /Quarantined: 5 chunks in a row failed/);
  await eventually(() => agent.states.includes('disabled'), 5_000, 'the agent told');
  t.pass();
  agent.close();
  for (const id of [created.id, ...others]) await c.call('POST', `/api/v1/jobs/${id}/cancel`, { key: artist.key });
});

test.serial('drain finishes the current chunk and takes no more; disable takes the chunk back; enable restores', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key, undefined, 'drainable');
  await agent.connect();
  await agent.hello();
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 29 }, chunkSize: 10, priority: 100 } })).body;
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === created.id), 10_000, 'assignment');
  const drained = await c.call('POST', `/api/v1/nodes/${agent.nodeId}/drain`, { key: c.admin.key });
  t.is(drained.status, 200);
  t.is(drained.body.state, 'draining');
  await eventually(() => agent.states.includes('draining'), 5_000, 'drain reaches the agent');
  t.deepEqual(await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 10 }), { ok: true }, 'the current chunk still completes');
  await new Promise((r) => setTimeout(r, 1_200));
  t.is(agent.assignments.filter((x) => x.jobId === created.id).length, 1, 'no new work while draining');

  const enabled = await c.call('POST', `/api/v1/nodes/${agent.nodeId}/enable`, { key: provider.key });
  t.is(enabled.body.state, 'online', 'an owner may undo a drain');
  const b = await eventually(() => agent.assignments.filter((x) => x.jobId === created.id)[1], 10_000, 'work again');
  const disabled = await c.call('POST', `/api/v1/nodes/${agent.nodeId}/disable`, { key: c.admin.key });
  t.is(disabled.body.state, 'disabled');
  await eventually(() => agent.cancels.some((x) => x.chunkId === b.chunkId), 5_000, 'the chunk taken back');
  const [, second] = await chunks(created.id);
  t.is(second.state, 'QUEUED');
  t.is((await c.call('POST', `/api/v1/nodes/${agent.nodeId}/enable`, { key: provider.key })).status, 403, 'only an admin lifts a disable');
  t.is((await c.call('POST', `/api/v1/nodes/${agent.nodeId}/enable`, { key: c.admin.key })).body.state, 'online');
  agent.close();
  await c.call('POST', `/api/v1/jobs/${created.id}/cancel`, { key: artist.key });
});

test.serial('matching: AE version, VRAM and the tier ceiling decide who may render', async (t) => {
  const cheap = await TestAgent.enroll(c, provider.key, 'NVIDIA GeForce GTX 1060 6GB', 'cheap');
  const tooNew = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: oneChunkJob({ minAeVersion: 25, priority: 100 }) })).body;
  const tooBig = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: oneChunkJob({ minVramMb: 48_000, priority: 100 }) })).body;
  const fits = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: oneChunkJob({ maxTier: 'entry', priority: 100 }) })).body;
  await cheap.connect();
  await cheap.hello();
  const a = await eventually(() => cheap.assignments.find((x) => x.jobId === fits.id), 10_000, 'the job that fits');
  t.truthy(a);
  await cheap.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 10 });
  await new Promise((r) => setTimeout(r, 1_200));
  t.false(cheap.assignments.some((x) => x.jobId === tooNew.id), 'AE 24 may not render an AE 25 project');
  t.false(cheap.assignments.some((x) => x.jobId === tooBig.id), '24 GB of VRAM is not 48');
  cheap.close();
  for (const id of [tooNew.id, tooBig.id]) await c.call('POST', `/api/v1/jobs/${id}/cancel`, { key: artist.key });
});

test.serial('cancelling a job takes its chunk back from the node', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key, undefined, 'cancel-me');
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: oneChunkJob({ priority: 100 }) })).body;
  await agent.connect();
  await agent.hello();
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === created.id), 10_000, 'assignment');
  await c.call('POST', `/api/v1/jobs/${created.id}/cancel`, { key: artist.key });
  await eventually(() => agent.cancels.some((x) => x.chunkId === a.chunkId), 5_000, 'cancel reaches the agent');
  const node = (await c.call('GET', `/api/v1/nodes/${agent.nodeId}`, { key: provider.key })).body;
  t.is(node.state, 'online');
  t.is(node.currentChunkId, null);
  agent.close();
});

test.serial('priority first; jobs of one priority take turns rather than queueing behind each other', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key, undefined, 'fair');
  const body = (priority: number) => ({ ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 39 }, chunkSize: 10, priority });
  const older = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: body(60) })).body;
  const newer = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: body(60) })).body;
  const urgent = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: body(70) })).body;
  await agent.connect();
  await agent.hello();
  const order: string[] = [];
  for (let i = 0; i < 12; i++) {
    const a = await eventually(() => agent.assignments[i], 10_000, `assignment ${i}`);
    order.push(a.jobId === urgent.id ? 'U' : a.jobId === older.id ? 'O' : a.jobId === newer.id ? 'N' : '?');
    await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 10 });
  }
  t.is(order.join(''), 'UUUUONONONON');
  agent.close();
});
