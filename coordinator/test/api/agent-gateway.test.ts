import { randomBytes } from 'node:crypto';
import test from 'ava';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import type { RenderNode } from '@cloudexport/shared';
import { connectLive } from '../helpers/live-socket.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';
import { enrollBody } from '../helpers/seed-node.js';

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  provider = await c.user('provider');
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

test('enrollment: a token works once, and the node shows with its GPU tier', async (t) => {
  const token = (await c.call('POST', '/api/v1/enrollment-tokens', { key: provider.key, body: { ttlMinutes: 10 } })).body;
  t.regex(token.installCommand, /cloudexport-agent enroll --coordinator http:\/\/127\.0\.0\.1:\d+ --token cet_/);
  const first = await c.call('POST', '/api/v1/nodes/enroll', { body: enrollBody(token.token, 'box-1') });
  t.is(first.status, 201);
  t.is(first.body.ownerId, provider.id);
  t.is(first.body.tierId, 'high-end');
  const again = await c.call('POST', '/api/v1/nodes/enroll', { body: enrollBody(token.token, 'box-2') });
  t.is(again.status, 409);
  t.regex(again.body.error.message, /already used/);
  const node = (await c.call('GET', `/api/v1/nodes/${first.body.nodeId}`, { key: provider.key })).body;
  t.is(node.state, 'offline');
  t.is(node.gpus[0].model, 'NVIDIA GeForce RTX 4090');
});

test('enrollment: unknown and expired tokens are refused with a reason, nothing written', async (t) => {
  const unknown = await c.call('POST', '/api/v1/nodes/enroll', { body: enrollBody('cet_made_up_token_123', 'unknown-token-box') });
  t.is(unknown.status, 401);
  t.regex(unknown.body.error.message, /Unknown enrollment token/);
  const token = (await c.call('POST', '/api/v1/enrollment-tokens', { key: provider.key, body: { ttlMinutes: 5 } })).body.token;
  await c.db.orm.em.getConnection().execute(`update enrollment_tokens set expires_at = now() - interval '1 minute' where used_at is null`);
  const expired = await c.call('POST', '/api/v1/nodes/enroll', { body: enrollBody(token, 'expired-token-box') });
  t.is(expired.status, 401);
  t.regex(expired.body.error.message, /expired/);
  const names = (await c.call('GET', '/api/v1/nodes?limit=200', { key: c.admin.key })).body.items.map((n: { name: string }) => n.name);
  t.false(names.includes('unknown-token-box') || names.includes('expired-token-box'));
});

test('a signed handshake connects; the node goes online', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key);
  await agent.connect();
  const hello = await agent.hello();
  t.is(hello.nodeId, agent.nodeId);
  t.is(hello.state, 'online');
  t.true(hello.heartbeatIntervalMs > 0);
  const node = (await c.call('GET', `/api/v1/nodes/${agent.nodeId}`, { key: provider.key })).body;
  t.is(node.state, 'online');
  t.true(node.connected);
  agent.close();
});

test('a forged signature, a replayed handshake, a stale clock and a revoked node are refused with a reason', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key);
  const forged = agent.auth();
  forged.signature = Buffer.from(randomBytes(64)).toString('base64');
  await t.throwsAsync(agent.connect(forged), { message: /signature does not match/ });

  const once = agent.auth();
  await agent.connect(once);
  agent.close();
  await t.throwsAsync(agent.connect(once), { message: /Replayed handshake/ });

  await t.throwsAsync(agent.connect(agent.auth({ timestamp: Date.now() - 10 * 60_000 })), { message: /clock/ });

  const other = await TestAgent.enroll(c, provider.key);
  const stolen = agent.auth();
  await t.throwsAsync(other.connect({ ...stolen, nodeId: other.nodeId }), { message: /signature does not match/ }, 'a signature is bound to its node');

  // revoked while connected: told, then dropped; its keys open nothing again
  await agent.connect();
  await agent.hello();
  const dropped = new Promise<string>((resolve) => agent.socket!.once('disconnect', resolve));
  const revoked = await c.call('DELETE', `/api/v1/nodes/${agent.nodeId}`, { key: provider.key });
  t.is(revoked.status, 200);
  t.like(revoked.body, { state: 'disabled', revoked: true });
  t.is(await dropped, 'io server disconnect');
  t.deepEqual(agent.states, ['disabled']);
  await t.throwsAsync(agent.connect(), { message: /revoked/ });
  t.is((await c.call('POST', `/api/v1/nodes/${agent.nodeId}/enable`, { key: c.admin.key })).status, 409, 'a revoked node is enrolled again, never enabled');
  t.is((await c.call('GET', `/api/v1/nodes/${agent.nodeId}`, { key: provider.key })).body.state, 'disabled');
});

test('malformed messages are refused with a reason and change nothing', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key);
  await agent.connect();
  await agent.hello();
  const bad = await agent.send('chunk:progress', { chunkId: 'nope', epoch: 1, state: 'RENDERING', framesDone: 1, lastFrame: null });
  t.false(bad.ok);
  t.is(bad.code, 'invalid');
  const notMine = await agent.send('chunk:done', { chunkId: '00000000-0000-4000-8000-000000000000', epoch: 1, frames: 1 });
  t.false(notMine.ok);
  agent.close();
});

test('a job is handed out chunk by chunk, with fencing against stale epochs', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key);
  await agent.connect();
  await agent.hello();
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, chunkSize: 125, maxTier: 'high-end' } })).body;
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === job.id), 10_000, 'an assignment');
  t.is(a.epoch, 1);
  t.is(a.frameEnd - a.frameStart + 1, 125);
  t.deepEqual(await agent.send('chunk:progress', { chunkId: a.chunkId, epoch: a.epoch, state: 'RENDERING', framesDone: 10, lastFrame: a.frameStart + 9 }), { ok: true });
  const stale = await agent.send('chunk:progress', { chunkId: a.chunkId, epoch: a.epoch + 1, state: 'RENDERING', framesDone: 20, lastFrame: null });
  t.false(stale.ok);
  t.is(stale.code, 'stale_epoch');
  const back = await agent.send('chunk:progress', { chunkId: a.chunkId, epoch: a.epoch, state: 'DOWNLOADING', framesDone: 0, lastFrame: null });
  t.false(back.ok, 'a chunk never goes back from RENDERING to DOWNLOADING');
  t.deepEqual(await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 125 }), { ok: true });
  const b = await eventually(() => agent.assignments.find((x) => x.jobId === job.id && x.chunkId !== a.chunkId), 10_000, 'the second chunk');
  t.deepEqual(await agent.send('chunk:done', { chunkId: b.chunkId, epoch: b.epoch, frames: 125 }), { ok: true });
  const done = await eventually(async () => {
    const j = (await c.call('GET', `/api/v1/jobs/${job.id}`, { key: artist.key })).body;
    return j.state === 'COMPLETED' && j;
  });
  t.is(done.framesDone, 250);
  const again = await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 125 });
  t.false(again.ok, 'a finished chunk cannot be reported twice');
  agent.close();
});

test.serial('a done report with the wrong frame count counts as a failure of that node', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key, undefined, 'miscounting');
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 9 }, chunkSize: 10, priority: 100 } })).body;
  await agent.connect();
  await agent.hello();
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === job.id), 10_000, 'assignment');
  t.deepEqual(await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 9 }), { ok: true });
  const [chunk] = (await c.call('GET', `/api/v1/jobs/${job.id}/chunks`, { key: artist.key })).body.items;
  t.is(chunk.state, 'QUEUED');
  t.is(chunk.attempt, 1);
  t.regex(chunk.error, /Reported 9 frames for a chunk of 10/);
  agent.close();
  await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
});

test('a draining node whose agent goes away stays draining, and is shown not connected at once', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key);
  await agent.connect();
  await agent.hello();
  t.is((await c.call('POST', `/api/v1/nodes/${agent.nodeId}/drain`, { key: provider.key })).status, 200);
  const watcher = await connectLive(c.url, provider.key);
  const seen: RenderNode[] = [];
  watcher.on('node', (n: RenderNode) => n.id === agent.nodeId && seen.push(n));
  t.deepEqual(await watcher.emitWithAck('subscribe', { fleet: true }), { ok: true });
  agent.close();
  // its last heartbeat is seconds old, which alone would still read as connected
  const gone = await eventually(() => seen.find((n) => !n.connected), 15_000, 'the node shown not connected');
  t.is(gone.state, 'draining', 'a drain outlives the connection');
  watcher.close();
});
