import test from 'ava';
import { estimateBodySchema } from '../src/api/estimates.js';
import { complexityFactor, estimateCost, type PricedTier } from '../src/pricing/estimate.js';
import { microsToUsd, roundUsd, usdToMicros } from '../src/pricing/money.js';

const tiers: PricedTier[] = [
  { id: 'high-end', name: 'High-end', pricePerMinuteUsd: 0.5, onlineNodes: 0 },
  { id: 'datacenter', name: 'Datacenter', pricePerMinuteUsd: 2, onlineNodes: 4 },
];
const body = (patch: Record<string, unknown> = {}) => estimateBodySchema.parse({ durationSeconds: 120, fps: 25, complexity: 'standard', preset: 'web', bundleBytes: 2e9, ...patch });

test('the seed complexity factors, plugins added on top', (t) => {
  t.is(complexityFactor('plain', false), 1.0);
  t.is(complexityFactor('standard', false), 1.5);
  t.is(complexityFactor('heavy', false), 3.0);
  t.is(complexityFactor('plain', true), 3.0);
  t.is(complexityFactor('heavy', true), 5.0);
});

test('GPU = duration × complexity × rate; storage = GB × hours × $0.001; transfer = output GB × $0.05', (t) => {
  const e = estimateCost(body(), tiers, { storageHours: 24 });
  t.is(e.gpuMinutes, 3); // 2 min × 1.5
  t.is(e.frames, 3000);
  const [high, dc] = e.tiers;
  t.is(high!.cost.gpuUsd, 1.5);
  t.is(dc!.cost.gpuUsd, 6);
  t.is(high!.cost.storageUsd, 0.048); // 2 GB × 24 h × 0.001
  t.is(high!.cost.transferUsd, 0.006); // 120 s × 8 Mbps = 0.12 GB
  t.is(high!.cost.totalUsd, roundUsd(1.5 + 0.048 + 0.006));
  t.is(e.outputGb, 0.12);
});

test('the ETA divides the GPU time over the nodes online, plus one aerender start', (t) => {
  const e = estimateCost(body(), tiers);
  t.is(e.tiers[0]!.etaSeconds, 180 + 30, 'no node online: as if one');
  t.is(e.tiers[1]!.etaSeconds, 45 + 30);
});

test('ProRes deliverables cost more transfer than H.264', (t) => {
  const web = estimateCost(body(), tiers);
  const hq = estimateCost(body({ preset: 'hq' }), tiers);
  t.true(hq.outputGb > web.outputGb * 10);
});

test('money converts to integer micro-dollars without drift', (t) => {
  t.is(usdToMicros(0.5), 500_000);
  t.is(usdToMicros(0.1 + 0.2), 300_000);
  t.is(microsToUsd(2_000_000), 2);
  t.is(roundUsd(0.00004), 0);
  t.is(roundUsd(0.00005), 0.0001);
});
