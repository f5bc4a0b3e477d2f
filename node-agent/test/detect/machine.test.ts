import os from 'node:os';
import { machineReportSchema } from '@cloudexport/shared';
import test from 'ava';
import { detectMachine } from '../../src/detect/machine.js';
import { createProbeDeps } from '../../src/detect/real-probe-deps.js';
import { fakeDeps, ok } from './fake-probe-deps.js';
import { aerenderHelp } from './fixtures/aerender-output.js';
import { DEBIAN_12, ENCODERS } from './fixtures/ffmpeg-output.js';
import { APPLE_M2_MAX, WINDOWS_NVIDIA_INTEL_LAPTOP } from './fixtures/si-graphics.js';

const GB = 1024 ** 3;
const AE_2024 = 'C:\\Program Files\\Adobe\\Adobe After Effects 2024\\Support Files\\aerender.exe';
const FFMPEG = 'C:\\ffmpeg\\bin\\ffmpeg.exe';

const windowsWorkstation = () =>
  fakeDeps({
    platform: 'win32',
    env: { Path: 'C:\\Windows;C:\\ffmpeg\\bin' },
    files: [AE_2024, FFMPEG],
    programs: {
      'nvidia-smi': () => ok('NVIDIA GeForce RTX 3060 Laptop GPU, 6144, 536.23, 0\r\n'),
      [AE_2024]: () => ok(aerenderHelp('24.1x15')),
      [FFMPEG]: (args) => ok(args[0] === '-version' ? DEBIAN_12 : ENCODERS),
    },
    si: {
      graphics: async () => ({ controllers: WINDOWS_NVIDIA_INTEL_LAPTOP }),
      cpu: async () => ({ manufacturer: 'Intel', brand: 'Core™ i7-12700H', cores: 20, physicalCores: 14 }),
      mem: async () => ({ total: 32 * GB }),
      fsSize: async () => [{ mount: 'C:', available: 200 * GB }],
    },
  });

test('assembles the whole report from every probe', async (t) => {
  const m = await detectMachine(windowsWorkstation(), { workDir: 'C:\\CloudExport\\work' });
  t.deepEqual(
    m.gpus.map((g) => [g.model, g.driver]),
    [
      ['NVIDIA GeForce RTX 3060 Laptop GPU', '536.23'],
      ['Intel(R) UHD Graphics', '31.0.101.4032'],
    ],
  );
  t.true(m.nvidiaSmi);
  t.deepEqual(m.cpu, { model: 'Intel Core™ i7-12700H', cores: 20 });
  t.is(m.ramMb, 32 * 1024);
  t.is(m.freeDiskMb, 200 * 1024);
  t.deepEqual(m.os, { platform: 'win32', release: '10.0.22631', arch: 'x64', hostname: 'render-box' });
  t.deepEqual(m.aeInstalls, [{ version: '24.1', major: 24, path: AE_2024, versionInferred: false }]);
  t.deepEqual(m.ffmpeg, { path: FFMPEG, version: '5.1.6-0+deb12u1', encoders: ['libx264', 'prores_ks', 'h264_nvenc', 'png', 'aac', 'pcm_s16le'] });
  t.deepEqual(m.probeFailures, []);
  // What the agent sends must pass the coordinator's schema.
  t.true(machineReportSchema.safeParse({ ...m, agentVersion: '0.1.0' }).success);
});

test('the aerender override reaches AE detection', async (t) => {
  const deps = windowsWorkstation();
  const m = await detectMachine(deps, { workDir: 'C:\\w', aerenderOverride: 'Z:\\missing\\aerender.exe' });
  t.deepEqual(m.aeInstalls, []);
  t.regex(m.aeProblems[0]?.message ?? '', /from --aerender/);
});

test('Apple silicon: the GPU gets the system memory', async (t) => {
  const deps = fakeDeps({
    platform: 'darwin',
    si: {
      graphics: async () => ({ controllers: APPLE_M2_MAX }),
      cpu: async () => ({ manufacturer: 'Apple', brand: 'M2 Max', cores: 12, physicalCores: 12 }),
      mem: async () => ({ total: 64 * GB }),
    },
    statfs: async () => ({ bavail: 100_000_000, bsize: 4096 }),
  });
  const m = await detectMachine(deps, { workDir: '/Users/me/work' });
  t.like(m.gpus[0], { model: 'Apple M2 Max', vramMb: 64 * 1024, unifiedMemory: true });
  t.is(m.cpu.model, 'Apple M2 Max');
});

test('one failing probe costs only its own field', async (t) => {
  const deps = windowsWorkstation();
  deps.si.cpu = () => Promise.reject(new Error('WMI: access denied'));
  const m = await detectMachine(deps, { workDir: 'C:\\w' });
  t.deepEqual(m.cpu, { model: 'unknown', cores: 0 });
  t.deepEqual(m.probeFailures, [{ probe: 'cpu', message: 'WMI: access denied' }]);
  t.is(m.gpus.length, 2);
  t.is(m.aeInstalls.length, 1);
});

test('a hanging probe is cut off at the deadline', async (t) => {
  const deps = windowsWorkstation();
  deps.si.graphics = () => new Promise(() => {});
  deps.exec = () => new Promise(() => {}); // nvidia-smi, aerender and ffmpeg all hang too
  const started = Date.now();
  const m = await detectMachine(deps, { workDir: 'C:\\w', timeoutMs: 300 });
  // without the deadline this would never resolve; the margin is for a loaded machine
  t.true(Date.now() - started < 15_000);
  t.deepEqual(m.gpus, []);
  t.is(m.ramMb, 32 * 1024);
  t.deepEqual(
    m.probeFailures.map((f) => f.probe).sort(),
    ['after-effects', 'ffmpeg', 'gpus'],
  );
});

test('real machine: completes with a well-formed report', async (t) => {
  const started = Date.now();
  const m = await detectMachine(createProbeDeps(process.env), { workDir: os.tmpdir() });
  const elapsed = Date.now() - started;
  t.true(elapsed < 30_000, `took ${elapsed} ms`);
  t.log(`detectMachine took ${elapsed} ms; gpus=${m.gpus.length} ae=${m.aeInstalls.length} ffmpeg=${m.ffmpeg?.version ?? 'none'}`);
  t.is(m.os.platform, process.platform);
  t.is(m.os.hostname, os.hostname());
  t.true(m.cpu.cores > 0);
  t.true(Math.abs(m.ramMb - os.totalmem() / 1024 ** 2) < 2);
  t.true(m.freeDiskMb > 0);
  t.true(machineReportSchema.safeParse({ ...m, agentVersion: '0.1.0' }).success);
});
