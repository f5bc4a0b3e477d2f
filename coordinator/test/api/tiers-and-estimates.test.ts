import test from 'ava';
import { startTestCoordinator, type TestCoordinator } from '../helpers/test-coordinator.js';
import { seedNode } from '../helpers/seed-node.js';

let c: TestCoordinator;
test.before(async () => {
  c = await startTestCoordinator();
});
test.after.always(async () => c?.stop());

const oneMinuteWeb = { durationSeconds: 60, fps: 30, complexity: 'plain', preset: 'web', bundleBytes: 1e9 };

test('the default tiers carry the seed anchors', async (t) => {
  const tiers = (await c.call('GET', '/api/v1/tiers', { key: c.admin.key })).body.items;
  const byModel = (m: string) => tiers.find((tier: { models: string[] }) => tier.models.includes(m));
  t.is(byModel('RTX 4090').pricePerMinuteUsd, 0.5);
  t.is(byModel('A100').pricePerMinuteUsd, 2);
  const prices = tiers.map((tier: { pricePerMinuteUsd: number }) => tier.pricePerMinuteUsd);
  t.deepEqual(prices, [...prices].sort((a, b) => a - b), 'cheapest first');
});

test('an estimate follows the seed formula, per tier', async (t) => {
  const res = await c.call('POST', '/api/v1/estimates', { key: c.admin.key, body: oneMinuteWeb });
  t.is(res.status, 200, JSON.stringify(res.body));
  const e = res.body;
  t.is(e.frames, 1800);
  t.is(e.complexityFactor, 1);
  t.is(e.gpuMinutes, 1);
  t.is(e.storageHours, 168);
  const highEnd = e.tiers.find((x: { tierId: string }) => x.tierId === 'high-end');
  t.is(highEnd.cost.gpuUsd, 0.5); // 1 min × 1.0 × $0.50
  t.is(highEnd.cost.storageUsd, 0.168); // 1 GB × 168 h × $0.001
  t.is(highEnd.cost.transferUsd, 0.003); // 60 s × 8 Mbps = 0.06 GB × $0.05
  t.is(highEnd.cost.totalUsd, 0.671);
  const datacenter = e.tiers.find((x: { tierId: string }) => x.tierId === 'datacenter');
  t.is(datacenter.cost.gpuUsd, 2);
});

test('complexity and third-party plugins scale the GPU cost', async (t) => {
  const heavy = (await c.call('POST', '/api/v1/estimates', { key: c.admin.key, body: { ...oneMinuteWeb, complexity: 'heavy', thirdPartyPlugins: true } })).body;
  t.is(heavy.complexityFactor, 5);
  t.is(heavy.tiers.find((x: { tierId: string }) => x.tierId === 'high-end').cost.gpuUsd, 2.5);
});

test('a tier ceiling limits the tiers priced', async (t) => {
  const e = (await c.call('POST', '/api/v1/estimates', { key: c.admin.key, body: { ...oneMinuteWeb, maxTier: 'high-end' } })).body;
  t.false(e.tiers.some((x: { tierId: string }) => x.tierId === 'datacenter'));
  t.true(e.tiers.some((x: { tierId: string }) => x.tierId === 'high-end'));
});

test('the ETA shrinks with the nodes online in a tier', async (t) => {
  const before = (await c.call('POST', '/api/v1/estimates', { key: c.admin.key, body: { ...oneMinuteWeb, durationSeconds: 600 } })).body;
  const provider = await c.user('provider');
  for (let i = 0; i < 3; i++) await seedNode(c.db, provider.id, { tierId: 'workstation' });
  await seedNode(c.db, provider.id, { tierId: 'workstation', state: 'offline' });
  const after = (await c.call('POST', '/api/v1/estimates', { key: c.admin.key, body: { ...oneMinuteWeb, durationSeconds: 600 } })).body;
  const ws = (e: { tiers: { tierId: string; etaSeconds: number; onlineNodes: number }[] }) => e.tiers.find((x) => x.tierId === 'workstation')!;
  t.is(ws(after).onlineNodes, 3, 'offline nodes do not count');
  t.true(ws(after).etaSeconds < ws(before).etaSeconds);
});

test('an admin edits a tier price and the next estimate uses it; the change is audited', async (t) => {
  const res = await c.call('PATCH', '/api/v1/tiers/high-end', { key: c.admin.key, body: { pricePerMinuteUsd: 0.75 } });
  t.is(res.status, 200);
  t.is(res.body.pricePerMinuteUsd, 0.75);
  const e = (await c.call('POST', '/api/v1/estimates', { key: c.admin.key, body: oneMinuteWeb })).body;
  t.is(e.tiers.find((x: { tierId: string }) => x.tierId === 'high-end').cost.gpuUsd, 0.75);
  const audit = (await c.call('GET', '/api/v1/audit?action=tier.update', { key: c.admin.key })).body.items[0];
  t.is(audit.targetId, 'high-end');
  t.is(audit.details.before.pricePerMinuteUsd, 0.5);
  t.is(audit.details.after.pricePerMinuteUsd, 0.75);
  await c.call('PATCH', '/api/v1/tiers/high-end', { key: c.admin.key, body: { pricePerMinuteUsd: 0.5 } });
});

test('an unknown tier is a 404', async (t) => {
  const res = await c.call('PATCH', '/api/v1/tiers/quantum', { key: c.admin.key, body: { name: 'Q' } });
  t.is(res.status, 404);
});
