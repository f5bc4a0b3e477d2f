import test from 'ava';
import { NodeEntity } from '../../src/db/entities/index.js';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import { seedNode } from '../helpers/seed-node.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';

// The fleet page's filters, and a node's history: its attempts a page at a time, its blocklist.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  provider = await c.user('provider');
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

test('listNodes filters by tier, installed After Effects major, and name or GPU model in any case', async (t) => {
  const owner = await c.user('provider');
  const a = await seedNode(c.db, owner.id, { name: 'Studio-A', tierId: 'high-end' });
  const b = await seedNode(c.db, owner.id, { name: 'render_50%', tierId: 'entry' });
  const d = await seedNode(c.db, owner.id, { name: 'garage', tierId: 'datacenter' });
  const em = c.db.orm.em.fork();
  const bRow = await em.findOneOrFail(NodeEntity, { id: b });
  bRow.gpus = [{ model: 'NVIDIA GeForce GTX 1060 6GB', vendor: 'NVIDIA', vramMb: 6_144, driver: null }];
  bRow.aeInstalls = [
    { version: '22.6', major: 22, path: '/ae22/aerender' },
    { version: '25.0', major: 25, path: '/ae25/aerender' },
  ];
  const dRow = await em.findOneOrFail(NodeEntity, { id: d });
  dRow.gpus = [{ model: 'NVIDIA A100-SXM4-80GB', vendor: 'NVIDIA', vramMb: 81_920, driver: null }];
  await em.flush();

  const ids = async (query: string) => {
    const res = await c.call('GET', `/api/v1/nodes?ownerId=${owner.id}&${query}`, { key: c.admin.key });
    t.is(res.status, 200, JSON.stringify(res.body));
    return res.body.items.map((n: { id: string }) => n.id).sort();
  };
  t.deepEqual(await ids('tierId=entry'), [b]);
  t.deepEqual(await ids('aeVersion=25'), [b]);
  t.deepEqual(await ids('aeVersion=24'), [a, d].sort());
  t.deepEqual(await ids('aeVersion=23'), []);
  t.deepEqual(await ids('q=studio'), [a], 'name, any case');
  t.deepEqual(await ids('q=a100'), [d], 'GPU model, any case');
  t.deepEqual(await ids('q=RTX%204090'), [a]);
  t.deepEqual(await ids(`q=${encodeURIComponent('50%')}`), [b], 'wildcards are taken literally');
  t.deepEqual(await ids(`q=${encodeURIComponent('%')}`), [b]);
  t.deepEqual(await ids('q=geforce&tierId=high-end&aeVersion=24'), [a], 'filters combine');
  // filtered lists still page by keyset
  const first = await c.call('GET', `/api/v1/nodes?ownerId=${owner.id}&aeVersion=24&limit=1`, { key: c.admin.key });
  t.is(first.body.items.length, 1);
  const second = await c.call('GET', `/api/v1/nodes?ownerId=${owner.id}&aeVersion=24&limit=1&cursor=${first.body.nextCursor}`, { key: c.admin.key });
  t.deepEqual([first.body.items[0].id, second.body.items[0].id].sort(), [a, d].sort());
  t.is(second.body.nextCursor, null);
  t.is((await c.call('GET', '/api/v1/nodes?aeVersion=7', { key: c.admin.key })).status, 400);
});

test('a node’s attempts page newest first with an outcome filter; its blocklist names the job', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key, undefined, 'historic');
  await agent.connect();
  await agent.hello();
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, name: 'Flaky comp', comp: { ...sampleJob.comp, frameEnd: 29 }, chunkSize: 10 } })).body;
  const nth = (i: number) => eventually(() => agent.assignments.filter((x) => x.jobId === created.id)[i], 10_000, `assignment ${i}`);
  const a0 = await nth(0);
  t.deepEqual(await agent.send('chunk:done', { chunkId: a0.chunkId, epoch: a0.epoch, frames: 10 }), { ok: true });
  for (const i of [1, 2]) {
    const a = await nth(i);
    await agent.send('chunk:failed', { chunkId: a.chunkId, epoch: a.epoch, reason: 'aerender_error', message: `aerender ERROR: crash ${i}`, lastLines: [] });
  }

  const url = `/api/v1/nodes/${agent.nodeId}/attempts`;
  const all = await c.call('GET', url, { key: provider.key });
  t.is(all.status, 200);
  t.deepEqual(all.body.items.map((x: { outcome: string }) => x.outcome), ['failed', 'failed', 'done'], 'newest first');
  // whose job it was stays with admins, as on the node itself
  t.like(all.body.items[0], { jobId: created.id, jobName: '', nodeName: 'historic', reason: 'aerender_error', message: 'aerender ERROR: crash 2', chargedUsd: null });
  t.is(typeof all.body.items[2].chargedUsd, 'number');

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await c.call('GET', `${url}?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { key: provider.key });
    t.true(page.body.items.length <= 1);
    seen.push(...page.body.items.map((x) => x.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  t.deepEqual(seen, all.body.items.map((x: { id: string }) => x.id), 'pages of one walk the same list');

  const failed = await c.call('GET', `${url}?outcome=failed`, { key: provider.key });
  t.deepEqual(failed.body.items.map((x: { outcome: string }) => x.outcome), ['failed', 'failed']);
  const done = await c.call('GET', `${url}?outcome=done`, { key: c.admin.key });
  t.is(done.body.items.length, 1, 'admins see any node’s');
  t.is(done.body.items[0].jobName, 'Flaky comp', 'and the job’s name');
  t.is((await c.call('GET', `${url}?outcome=exploded`, { key: provider.key })).status, 400);

  const blocks = await eventually(async () => {
    const res = await c.call('GET', `/api/v1/nodes/${agent.nodeId}/blocks`, { key: provider.key });
    return res.body.items.length > 0 && res.body;
  });
  t.is(blocks.items.length, 1);
  t.like(blocks.items[0], { jobId: created.id, jobName: '' });
  t.like((await c.call('GET', `/api/v1/nodes/${agent.nodeId}/blocks`, { key: c.admin.key })).body.items[0], { jobName: 'Flaky comp' });
  t.regex(blocks.items[0].reason, /failed 2 chunks of this job/);
  agent.close();
  await c.call('POST', `/api/v1/jobs/${created.id}/cancel`, { key: artist.key });
});
