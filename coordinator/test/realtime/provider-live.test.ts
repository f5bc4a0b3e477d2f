import test from 'ava';
import { LIVE_NAMESPACE, type RenderNode } from '@cloudexport/shared';
import { io, type Socket } from 'socket.io-client';
import { sampleJob, startTestCoordinator, type TestCoordinator } from '../helpers/test-coordinator.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';

let c: TestCoordinator;

test.before(async () => {
  c = await startTestCoordinator();
});
test.after.always(async () => c?.stop());

function live(key: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(`${c.url}${LIVE_NAMESPACE}`, { auth: { key }, transports: ['websocket'], reconnection: false, forceNew: true });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

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
