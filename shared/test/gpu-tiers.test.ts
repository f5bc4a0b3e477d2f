import test from 'ava';
import { DEFAULT_TIERS, gpuModelTokens, matchTier } from '../src/tiers/gpu-tiers.js';

const REAL: [string, string | null][] = [
  ['NVIDIA GeForce RTX 4090', 'high-end'],
  ['NVIDIA A100-SXM4-40GB', 'datacenter'],
  ['NVIDIA A100 80GB PCIe', 'datacenter'],
  ['NVIDIA H100 80GB HBM3', 'datacenter'],
  ['NVIDIA H200', 'datacenter'],
  ['NVIDIA L40S', 'datacenter'],
  ['NVIDIA L40', 'workstation'],
  ['AMD Radeon RX 7900 XTX', 'high-end'],
  ['Radeon RX 7900 XT', 'high-end'],
  ['Apple M2 Max', 'high-end'],
  ['Apple M2', 'entry'],
  ['Apple M3 Pro', 'mainstream'],
  ['Apple M1 Ultra', 'workstation'],
  ['NVIDIA GeForce RTX 3060 Laptop GPU', 'entry'],
  ['NVIDIA GeForce RTX 3060 Ti', 'mainstream'],
  ['NVIDIA GeForce RTX 4070 Ti SUPER', 'high-end'],
  ['NVIDIA RTX A6000', 'workstation'],
  ['NVIDIA RTX A1000', null],
  ['NVIDIA RTX 6000 Ada Generation', 'workstation'],
  ['Tesla T4', 'entry'],
  ['Tesla V100-SXM2-16GB', 'mainstream'],
  ['NVIDIA GeForce GTX 1060 6GB', 'entry'],
  ['NVIDIA GeForce GTX 1080 Ti', 'mainstream'],
  ['NVIDIA GeForce RTX4090', 'high-end'],
  ['Intel(R) UHD Graphics 630', null],
  ['Microsoft Basic Display Adapter', null],
  ['', null],
];

for (const [model, tier] of REAL) {
  test(`"${model}" → ${tier}`, (t) => {
    t.is(matchTier(model, DEFAULT_TIERS)?.id ?? null, tier);
  });
}

test('the seed anchors: RTX 4090 at $0.50/min, A100 at $2.00/min', (t) => {
  t.is(matchTier('NVIDIA GeForce RTX 4090', DEFAULT_TIERS)?.pricePerMinuteUsd, 0.5);
  t.is(matchTier('NVIDIA A100-SXM4-40GB', DEFAULT_TIERS)?.pricePerMinuteUsd, 2.0);
});

test('tokens split at punctuation and at letter/digit boundaries', (t) => {
  t.deepEqual(gpuModelTokens('NVIDIA A100-SXM4-40GB'), ['nvidia', 'a', '100', 'sxm', '4', '40', 'gb']);
  t.deepEqual(gpuModelTokens('RTX4090'), ['rtx', '4090']);
  t.deepEqual(gpuModelTokens('Intel(R) UHD'), ['intel', 'r', 'uhd']);
});

test('the longest matching pattern wins, whichever tier it is in', (t) => {
  const tiers = [
    { id: 'a', models: ['M2'] },
    { id: 'b', models: ['M2 Max'] },
  ];
  t.is(matchTier('Apple M2 Max', tiers)?.id, 'b');
  t.is(matchTier('Apple M2 Max', [...tiers].reverse())?.id, 'b');
  t.is(matchTier('Apple M2', tiers)?.id, 'a');
});

test('the default table: unique ids, cheapest first, no pattern in two tiers', (t) => {
  const ids = DEFAULT_TIERS.map((x) => x.id);
  t.is(new Set(ids).size, ids.length);
  const prices = DEFAULT_TIERS.map((x) => x.pricePerMinuteUsd);
  t.deepEqual(prices, [...prices].sort((a, b) => a - b));
  const seen = new Map<string, string>();
  for (const tier of DEFAULT_TIERS) {
    for (const m of tier.models) {
      const key = gpuModelTokens(m).join(' ');
      t.false(seen.has(key), `${m} is in ${seen.get(key)} and ${tier.id}`);
      seen.set(key, tier.id);
    }
  }
});
