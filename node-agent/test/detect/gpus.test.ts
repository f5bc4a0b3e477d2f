import test from 'ava';
import { detectGpuDetails, detectGpus, isVirtualAdapter, mergeGpus, normalizeVendor } from '../../src/detect/gpus.js';
import { parseNvidiaSmiCsv } from '../../src/detect/nvidia-smi.js';
import { fakeDeps, ok } from './fake-probe-deps.js';
import { ONE_GPU, TWO_GPUS } from './fixtures/nvidia-smi-output.js';
import { APPLE_M2_MAX, LINUX_NVIDIA_LSPCI, WINDOWS_AMD, WINDOWS_NVIDIA_INTEL_LAPTOP, WINDOWS_VM } from './fixtures/si-graphics.js';

const LAPTOP_SMI = 'NVIDIA GeForce RTX 3060 Laptop GPU, 6144, 536.23, 12\r\n';

test('NVIDIA + Intel laptop: nvidia-smi wins for the NVIDIA GPU, the iGPU stays', async (t) => {
  const deps = fakeDeps({
    platform: 'win32',
    si: { graphics: async () => ({ controllers: WINDOWS_NVIDIA_INTEL_LAPTOP }) },
    programs: { 'nvidia-smi': () => ok(LAPTOP_SMI) },
  });
  const { gpus, nvidiaSmi } = await detectGpuDetails(deps);
  t.true(nvidiaSmi);
  t.deepEqual(gpus, [
    { model: 'NVIDIA GeForce RTX 3060 Laptop GPU', vendor: 'NVIDIA', vramMb: 6144, driver: '536.23', utilizationPct: 12 },
    { model: 'Intel(R) UHD Graphics', vendor: 'Intel', vramMb: 1024, driver: '31.0.101.4032' },
  ]);
});

test('same laptop without nvidia-smi: systeminformation values are used', async (t) => {
  const deps = fakeDeps({ si: { graphics: async () => ({ controllers: WINDOWS_NVIDIA_INTEL_LAPTOP }) } });
  const { gpus, nvidiaSmi } = await detectGpuDetails(deps);
  t.false(nvidiaSmi);
  t.like(gpus[0], { model: 'NVIDIA GeForce RTX 3060 Laptop GPU', vendor: 'NVIDIA', vramMb: 6144, driver: '31.0.15.3623', utilizationPct: 7 });
  t.is(gpus.length, 2);
});

test('Linux lspci names: nvidia-smi replaces the codename entry; the bracketed name is kept otherwise', (t) => {
  const withSmi = mergeGpus(LINUX_NVIDIA_LSPCI, parseNvidiaSmiCsv('NVIDIA GeForce RTX 3060 Laptop GPU, 6144, 550.54.14, 0'));
  t.deepEqual(
    withSmi.map((g) => g.model),
    ['NVIDIA GeForce RTX 3060 Laptop GPU', 'UHD Graphics'],
  );
  const withoutSmi = mergeGpus(LINUX_NVIDIA_LSPCI, null);
  t.like(withoutSmi.find((g) => g.vendor === 'NVIDIA'), { model: 'GeForce RTX 3060 Mobile / Max-Q', vramMb: 0, driver: null });
});

test('two NVIDIA GPUs from nvidia-smi are both reported even if systeminformation lists one', (t) => {
  const gpus = mergeGpus([{ vendor: 'NVIDIA Corporation', model: 'GA102 [GeForce RTX 3090]', vram: 24576, vramDynamic: false }], parseNvidiaSmiCsv(TWO_GPUS));
  t.is(gpus.length, 2);
  t.true(gpus.every((g) => g.model === 'NVIDIA GeForce RTX 3090' && g.driver === '535.129.03'));
});

test('Apple M2 Max: unified memory counts as its VRAM', async (t) => {
  const deps = fakeDeps({ platform: 'darwin', si: { graphics: async () => ({ controllers: APPLE_M2_MAX }) } });
  t.deepEqual(await detectGpus(deps, { totalRamMb: 65536 }), [{ model: 'Apple M2 Max', vendor: 'Apple', vramMb: 65536, driver: null, unifiedMemory: true }]);
  // Without the RAM figure it still reports the GPU, with no VRAM rather than a guess.
  t.like((await detectGpus(deps))[0], { model: 'Apple M2 Max', vramMb: 0 });
});

test('AMD Radeon: vendor normalized, VRAM in MB from systeminformation', (t) => {
  t.deepEqual(mergeGpus(WINDOWS_AMD, null), [{ model: 'AMD Radeon RX 7900 XTX', vendor: 'AMD', vramMb: 24560, driver: '31.0.24027.1012' }]);
});

test('a VM with only the Microsoft Basic Display Adapter has no GPU', async (t) => {
  const deps = fakeDeps({ platform: 'win32', si: { graphics: async () => ({ controllers: WINDOWS_VM }) } });
  t.deepEqual(await detectGpus(deps), []);
});

test('virtual adapters are recognised, real GPUs are not', (t) => {
  for (const [vendor, model] of [
    ['(Standard display types)', 'Microsoft Basic Display Adapter'],
    ['Mesa', 'llvmpipe (LLVM 15.0.6, 256 bits)'],
    ['VMware', 'SVGA II Adapter'],
    ['VMware, Inc.', 'VMware SVGA 3D'],
    ['Oracle Corporation', 'VirtualBox Graphics Adapter (WDDM)'],
    ['Red Hat, Inc.', 'Virtio 1.0 GPU'],
    ['ASPEED Technology, Inc.', 'ASPEED Graphics Family'],
    ['Parsec Cloud, Inc.', 'Parsec Virtual Display Adapter'],
  ] as const) {
    t.true(isVirtualAdapter(vendor, model), model);
  }
  t.false(isVirtualAdapter('NVIDIA', 'NVIDIA GeForce RTX 4090'));
  t.false(isVirtualAdapter('Intel Corporation', 'Intel(R) Arc(TM) A770 Graphics'));
});

test('vendor names are normalized', (t) => {
  t.is(normalizeVendor('Advanced Micro Devices, Inc. [AMD/ATI]', 'Navi 31'), 'AMD');
  t.is(normalizeVendor('NVIDIA Corporation', 'AD102'), 'NVIDIA');
  t.is(normalizeVendor('Intel Corporation', 'UHD'), 'Intel');
  t.is(normalizeVendor('', 'Apple M1'), 'Apple');
  t.is(normalizeVendor('Moore Threads', 'MTT S80'), 'Moore Threads');
});

test('systeminformation failing does not lose nvidia-smi GPUs', async (t) => {
  const deps = fakeDeps({
    si: { graphics: () => Promise.reject(new Error('WMI timeout')) },
    programs: { 'nvidia-smi': () => ok(ONE_GPU) },
  });
  t.deepEqual(
    (await detectGpus(deps)).map((g) => g.model),
    ['NVIDIA GeForce RTX 4090'],
  );
});
