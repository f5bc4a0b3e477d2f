import test from 'ava';
import { DEFAULT_TIERS, gpuModelTokens, matchTier } from '../src/tiers/gpu-tiers.js';

// Model strings as drivers, nvidia-smi, system_profiler and the OS report them.
const REAL: [string, string | null][] = [
  ['NVIDIA GeForce RTX 4090', 'high-end'],
  ['NVIDIA GeForce RTX4090', 'high-end'],
  ['NVIDIA GeForce RTX 4090 Laptop GPU', 'mainstream'],
  ['NVIDIA GeForce RTX 5090', 'high-end'],
  ['NVIDIA GeForce RTX 4070 Ti SUPER', 'high-end'],
  ['NVIDIA GeForce RTX 4070 SUPER', 'mainstream'],
  ['NVIDIA GeForce RTX 3060 Laptop GPU', 'entry'],
  ['NVIDIA GeForce RTX 3060', 'entry'],
  ['NVIDIA GeForce RTX 3060 Ti', 'mainstream'],
  ['NVIDIA GeForce RTX 3080 Ti Laptop GPU', 'mainstream'],
  ['NVIDIA GeForce RTX 2080 Ti', 'mainstream'],
  ['NVIDIA GeForce RTX 2080 Super with Max-Q Design', 'mainstream'],
  ['NVIDIA GeForce GTX 1060 6GB', 'entry'],
  ['NVIDIA GeForce GTX 1660 SUPER', 'entry'],
  ['NVIDIA GeForce GTX 1080 Ti', 'mainstream'],
  ['NVIDIA RTX A2000 12GB', 'entry'],
  ['NVIDIA RTX A4000', 'mainstream'],
  ['NVIDIA RTX A5000', 'high-end'],
  ['NVIDIA RTX A6000', 'workstation'],
  ['NVIDIA RTX A1000', 'entry'],
  ['NVIDIA RTX 6000 Ada Generation', 'workstation'],
  ['Quadro RTX 8000', 'workstation'],
  ['NVIDIA L4', 'mainstream'],
  ['NVIDIA L40', 'workstation'],
  ['NVIDIA L40S', 'datacenter'],
  ['NVIDIA A10G', 'high-end'],
  ['NVIDIA A100-SXM4-40GB', 'datacenter'],
  ['NVIDIA A100 80GB PCIe', 'datacenter'],
  ['NVIDIA H100 80GB HBM3', 'datacenter'],
  ['NVIDIA H200', 'datacenter'],
  ['Tesla T4', 'entry'],
  ['Tesla V100-SXM2-16GB', 'mainstream'],
  ['AMD Radeon RX 7900 XTX', 'high-end'],
  ['AMD Radeon(TM) RX 7900 XTX', 'high-end'],
  ['Radeon RX 7900 XT', 'high-end'],
  ['AMD Radeon RX 6600', 'entry'],
  ['AMD Radeon RX 6800', 'mainstream'],
  ['AMD Radeon RX 6800 XT', 'high-end'],
  ['AMD Radeon PRO W7900', 'workstation'],
  ['AMD Radeon Pro W6800', 'mainstream'],
  ['Apple M1', 'entry'],
  ['Apple M2', 'entry'],
  ['Apple M3 Pro', 'mainstream'],
  ['Apple M4 Pro', 'mainstream'],
  ['Apple M2 Max', 'high-end'],
  ['Apple M1 Ultra', 'workstation'],
  ['Apple M3 Ultra', 'workstation'],
  ['Intel(R) UHD Graphics 630', null],
  ['Microsoft Basic Display Adapter', null],
  ['AMD Radeon 780M Graphics', null],
  // `M2`/`M4` bare would match these; Apple patterns keep their vendor word.
  ['NVIDIA GeForce GTX 960M 2GB', null],
  ['AMD Radeon Pro 5300M 4GB', null],
  ['', null],
];

for (const [model, tier] of REAL) {
  test(`"${model}" → ${tier}`, (t) => {
    t.is(matchTier(model, DEFAULT_TIERS)?.id ?? null, tier);
  });
}

test('the seed anchors: RTX 4090 at $0.50/min, A100 at $2.00/min, with H100, H200 and L40S', (t) => {
  t.is(matchTier('NVIDIA GeForce RTX 4090', DEFAULT_TIERS)?.pricePerMinuteUsd, 0.5);
  for (const m of ['NVIDIA A100-SXM4-40GB', 'NVIDIA H100 80GB HBM3', 'NVIDIA H200', 'NVIDIA L40S']) {
    t.is(matchTier(m, DEFAULT_TIERS)?.pricePerMinuteUsd, 2.0, m);
  }
  t.deepEqual(
    DEFAULT_TIERS.map((x) => [x.id, x.pricePerMinuteUsd]),
    [['entry', 0.15], ['mainstream', 0.3], ['high-end', 0.5], ['workstation', 1.0], ['datacenter', 2.0]],
  );
});

test('tokens split at punctuation and at letter/digit boundaries', (t) => {
  t.deepEqual(gpuModelTokens('NVIDIA A100-SXM4-40GB'), ['nvidia', 'a', '100', 'sxm', '4', '40', 'gb']);
  t.deepEqual(gpuModelTokens('A100-SXM4-40GB'), ['a', '100', 'sxm', '4', '40', 'gb']);
  t.deepEqual(gpuModelTokens('RTX4090'), ['rtx', '4090']);
  t.deepEqual(gpuModelTokens('Intel(R) UHD'), ['intel', 'r', 'uhd']);
  t.deepEqual(gpuModelTokens(' -- '), []);
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

test('RX 7900 XT and XTX never mix, in either tier order', (t) => {
  const tiers = [
    { id: 'xt', models: ['RX 7900 XT'] },
    { id: 'xtx', models: ['RX 7900 XTX'] },
  ];
  for (const order of [tiers, [...tiers].reverse()]) {
    t.is(matchTier('AMD Radeon RX 7900 XTX', order)?.id, 'xtx');
    t.is(matchTier('Radeon RX 7900 XT', order)?.id, 'xt');
  }
});

test('patterns match whole tokens only: A100 is not RTX A1000, L4 is not L40', (t) => {
  t.is(matchTier('NVIDIA RTX A1000', [{ id: 'dc', models: ['A100'] }]), null);
  t.is(matchTier('NVIDIA L40', [{ id: 'l4', models: ['L4'] }]), null);
  t.is(matchTier('NVIDIA GeForce RTX 40900', [{ id: 'x', models: ['RTX 4090'] }]), null);
});

test('the default table: unique ids, cheapest first, every pattern in exactly one tier', (t) => {
  const ids = DEFAULT_TIERS.map((x) => x.id);
  t.is(new Set(ids).size, ids.length);
  const prices = DEFAULT_TIERS.map((x) => x.pricePerMinuteUsd);
  t.deepEqual(prices, [...prices].sort((a, b) => a - b));
  const seen = new Map<string, string>();
  for (const tier of DEFAULT_TIERS) {
    for (const m of tier.models) {
      const key = gpuModelTokens(m).join(' ');
      t.true(key.length > 0, `${m} has no tokens`);
      t.false(seen.has(key), `${m} is in ${seen.get(key)} and ${tier.id}`);
      seen.set(key, tier.id);
      t.is(matchTier(m, DEFAULT_TIERS)?.id, tier.id, `${m} matches its own tier`);
    }
  }
});
