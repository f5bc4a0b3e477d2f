import test from 'ava';
import type { MachineInfo } from '../../src/detect/machine.js';
import { doctorReport, formatDoctorReport, type DoctorReport } from '../../src/doctor/doctor.js';

const AE_2024 = 'C:\\Program Files\\Adobe\\Adobe After Effects 2024\\Support Files\\aerender.exe';

function machine(overrides: Partial<MachineInfo> = {}): MachineInfo {
  return {
    gpus: [{ model: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', vramMb: 24564, driver: '546.33' }],
    cpu: { model: 'AMD Ryzen 9 7950X 16-Core Processor', cores: 32 },
    ramMb: 65_536,
    freeDiskMb: 500_000,
    os: { platform: 'win32', release: '10.0.22631', arch: 'x64', hostname: 'render-box' },
    aeInstalls: [{ version: '24.1', major: 24, path: AE_2024, versionInferred: false }],
    aeProblems: [],
    ffmpeg: { path: 'C:\\ffmpeg\\bin\\ffmpeg.exe', version: 'n6.1', encoders: ['libx264', 'prores_ks'] },
    nvidiaSmi: true,
    probeFailures: [],
    ...overrides,
  };
}

const check = (report: DoctorReport, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

test('a healthy workstation passes every check', (t) => {
  const report = doctorReport(machine());
  t.true(report.ok);
  t.deepEqual(
    report.checks.map((c) => [c.id, c.status]),
    [
      ['gpu', 'pass'],
      ['gpu-vram', 'pass'],
      ['after-effects', 'pass'],
      ['aerender-version', 'pass'],
      ['ffmpeg', 'pass'],
      ['disk', 'pass'],
      ['ram', 'pass'],
    ],
  );
  t.regex(check(report, 'gpu').detail, /RTX 4090 \(24 GB VRAM, driver 546\.33\)/);
  t.is(check(report, 'aerender-version').detail, 'Read from aerender: 24.1.');
});

test('no GPU and no After Effects: not ok, both fail with a fix', (t) => {
  const report = doctorReport(machine({ gpus: [], aeInstalls: [], nvidiaSmi: false }));
  t.false(report.ok);
  const gpu = check(report, 'gpu');
  const ae = check(report, 'after-effects');
  t.is(gpu.status, 'fail');
  t.regex(gpu.fix ?? '', /driver/);
  t.is(ae.status, 'fail');
  t.regex(ae.fix ?? '', /After Effects 2020 or newer/);
  t.regex(ae.fix ?? '', /AERENDER_PATH/);
  t.regex(ae.fix ?? '', /--aerender/);
  t.deepEqual(
    report.checks.filter((c) => c.status === 'fail').map((c) => c.id),
    ['gpu', 'after-effects'],
  );
});

test('an override that was not found shows up in the After Effects failure', (t) => {
  const report = doctorReport(
    machine({ aeInstalls: [], aeProblems: [{ path: 'D:\\x\\aerender.exe', message: 'aerender not found at D:\\x\\aerender.exe (from --aerender).' }] }),
  );
  t.regex(check(report, 'after-effects').detail, /not found at D:\\x\\aerender\.exe/);
});

test('an inferred aerender version is a warning with the reason', (t) => {
  const message = `Could not read the version of ${AE_2024}: it did not answer within 3 s. Assuming After Effects 2024 (version 24) from its folder name.`;
  const report = doctorReport(
    machine({ aeInstalls: [{ version: '24', major: 24, path: AE_2024, versionInferred: true }], aeProblems: [{ path: AE_2024, message }] }),
  );
  t.true(report.ok);
  t.is(check(report, 'after-effects').status, 'pass');
  const version = check(report, 'aerender-version');
  t.is(version.status, 'warn');
  t.is(version.detail, message);
  t.truthy(version.fix);
});

test('small VRAM and RAM warn, do not fail', (t) => {
  const report = doctorReport(machine({ gpus: [{ model: 'NVIDIA GeForce GTX 1050', vendor: 'NVIDIA', vramMb: 2048, driver: '512.78' }], ramMb: 8192 }));
  t.true(report.ok);
  t.is(check(report, 'gpu-vram').status, 'warn');
  t.is(check(report, 'ram').status, 'warn');
  // A 16 GB machine reports a little less than 16 GiB; it must not warn.
  t.is(check(doctorReport(machine({ ramMb: 15_872 })), 'ram').status, 'pass');
  t.is(check(doctorReport(machine({ gpus: [{ model: 'GTX 1650', vendor: 'NVIDIA', vramMb: 4096, driver: null }] })), 'gpu-vram').status, 'pass');
});

test('Apple unified memory passes the VRAM check', (t) => {
  const report = doctorReport(machine({ gpus: [{ model: 'Apple M2 Max', vendor: 'Apple', vramMb: 65_536, driver: null, unifiedMemory: true }] }));
  t.is(check(report, 'gpu-vram').status, 'pass');
  t.regex(check(report, 'gpu-vram').detail, /unified memory/);
});

test('missing ffmpeg warns with a platform install hint; a build without prores_ks warns too', (t) => {
  const none = check(doctorReport(machine({ ffmpeg: null, os: { platform: 'darwin', release: '23.4.0', arch: 'arm64', hostname: 'mac' } })), 'ffmpeg');
  t.is(none.status, 'warn');
  t.regex(none.detail, /assemble/);
  t.regex(none.fix ?? '', /brew install ffmpeg/);
  const partial = check(doctorReport(machine({ ffmpeg: { path: '/usr/bin/ffmpeg', version: 'n6.1', encoders: ['libx264'] } })), 'ffmpeg');
  t.is(partial.status, 'warn');
  t.regex(partial.detail, /lacks prores_ks/);
});

test('disk below the minimum fails; default minimum is 20 GB', (t) => {
  t.is(check(doctorReport(machine({ freeDiskMb: 19 * 1024 })), 'disk').status, 'fail');
  t.is(check(doctorReport(machine({ freeDiskMb: 21 * 1024 })), 'disk').status, 'pass');
  const strict = doctorReport(machine({ freeDiskMb: 21 * 1024 }), { minFreeDiskMb: 50 * 1024 });
  t.false(strict.ok);
  t.regex(check(strict, 'disk').fix ?? '', /Free up 29 GB/);
});

test('the bundle cache is shown with its folder, use and cap; the disk check names the work folder', (t) => {
  const cache = { dir: '/home/gpu/.cloudexport-agent/cache', blobs: 12, usedBytes: 3.5 * 1024 ** 3, capBytes: 20 * 1024 ** 3 };
  const report = doctorReport(machine(), { cache, workDir: '/home/gpu/.cloudexport-agent/work' });
  t.true(report.ok);
  t.deepEqual(check(report, 'cache'), {
    id: 'cache',
    title: 'Bundle cache',
    status: 'pass',
    detail: '3.5 GB used of 20 GB (12 files) in /home/gpu/.cloudexport-agent/cache.',
  });
  t.is(check(report, 'disk').detail, '488.3 GB free (work folder /home/gpu/.cloudexport-agent/work).');
  t.is(check(doctorReport(machine(), { cache: { ...cache, blobs: 1, usedBytes: 700 * 1024 ** 2 } }), 'cache').detail, '700 MB used of 20 GB (1 file) in /home/gpu/.cloudexport-agent/cache.');
  t.false(doctorReport(machine()).checks.some((c) => c.id === 'cache'), 'only when given');
});

test('a cache cap the drive cannot hold warns, with a smaller cap to use', (t) => {
  const cache = { dir: '/c', blobs: 2, usedBytes: 4 * 1024 ** 3, capBytes: 100 * 1024 ** 3 };
  const report = doctorReport(machine({ freeDiskMb: 36 * 1024 }), { cache });
  t.true(report.ok, 'a warning, not a failure');
  const c = check(report, 'cache');
  t.is(c.status, 'warn');
  t.regex(c.detail, /only 36 GB free, so the cache cannot grow to its cap/);
  t.is(c.fix, 'Lower the cap (cloudexport-agent run --cache-gb 20) or free space on that drive.');
});

test('coordinator URL and enrollment are checked only when given', (t) => {
  t.false(doctorReport(machine()).checks.some((c) => c.id === 'coordinator' || c.id === 'enrolled'));
  const bad = doctorReport(machine(), { coordinatorUrl: 'render.example.com', enrolled: false });
  t.false(bad.ok);
  t.is(check(bad, 'coordinator').status, 'fail');
  t.is(check(bad, 'enrolled').status, 'fail');
  const good = doctorReport(machine(), { coordinatorUrl: 'https://render.example.com/', enrolled: true });
  t.true(good.ok);
  t.is(check(good, 'coordinator').detail, 'https://render.example.com');
});

test('probe failures surface as a warning', (t) => {
  const report = doctorReport(machine({ probeFailures: [{ probe: 'cpu', message: 'WMI: access denied' }] }));
  t.true(report.ok);
  t.regex(check(report, 'probes').detail, /cpu: WMI: access denied/);
});

test('formatted report: a mark per line, fixes indented, verdict last', (t) => {
  const text = formatDoctorReport(doctorReport(machine({ gpus: [], aeInstalls: [], ffmpeg: null })));
  const lines = text.split('\n');
  t.true(lines.some((l) => l.startsWith('✘ GPU: No GPU found')));
  t.true(lines.some((l) => l.startsWith('✘ After Effects: No After Effects found')));
  t.true(lines.some((l) => l.startsWith('! ffmpeg: Not found')));
  t.true(lines.some((l) => l.startsWith('✔ Free disk space:')));
  const aeLine = lines.findIndex((l) => l.startsWith('✘ After Effects'));
  t.regex(lines[aeLine + 1] ?? '', /^ {4}Fix: Install After Effects 2020 or newer/);
  t.is(lines.at(-1), 'Not ready: 2 checks failed and 3 warnings. Fix the ✘ lines and run doctor again.');
  t.is(formatDoctorReport(doctorReport(machine())).split('\n').at(-1), 'Ready to render.');
  t.is(formatDoctorReport(doctorReport(machine({ ramMb: 8192 }))).split('\n').at(-1), 'Ready to render, with 1 warning.');
});
