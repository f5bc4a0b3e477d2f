import { execFileSync } from 'node:child_process';
import test from 'ava';
import { detectFfmpeg, findFfmpeg, parseFfmpegEncoders, parseFfmpegVersion } from '../../src/detect/ffmpeg.js';
import { realExec, realFileExists } from '../../src/detect/real-probe-deps.js';
import { exited, fakeDeps, ok } from './fake-probe-deps.js';
import { ARCH_N61, DEBIAN_12, ENCODERS, ENCODERS_MINIMAL, GYAN_WINDOWS } from './fixtures/ffmpeg-output.js';

test('parses the version token of common builds', (t) => {
  t.is(parseFfmpegVersion(DEBIAN_12), '5.1.6-0+deb12u1');
  t.is(parseFfmpegVersion(ARCH_N61), 'n6.1');
  t.is(parseFfmpegVersion(GYAN_WINDOWS), '2023-04-12-git-1179bb703e-full_build-www.gyan.dev');
  t.is(parseFfmpegVersion('ffprobe version 6.0'), null);
});

test('parses encoder names, skipping the legend', (t) => {
  const names = parseFfmpegEncoders(ENCODERS);
  t.true(names.has('libx264'));
  t.true(names.has('prores_ks'));
  t.true(names.has('srt'));
  t.false(names.has('='));
  t.is(names.size, 8);
});

test('finds ffmpeg on PATH (posix)', async (t) => {
  const deps = fakeDeps({ env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/bin' }, files: ['/usr/bin/ffmpeg'] });
  t.is(await findFfmpeg(deps), '/usr/bin/ffmpeg');
});

test('finds ffmpeg.exe on a Windows Path, quoted entries included', async (t) => {
  const deps = fakeDeps({ platform: 'win32', env: { Path: 'C:\\Windows\\system32;"C:\\ffmpeg\\bin";' }, files: ['C:\\ffmpeg\\bin\\ffmpeg.exe'] });
  t.is(await findFfmpeg(deps), 'C:\\ffmpeg\\bin\\ffmpeg.exe');
});

test('FFMPEG_PATH wins over PATH, and a wrong one is not silently replaced', async (t) => {
  const files = ['/opt/ff/ffmpeg', '/usr/bin/ffmpeg'];
  t.is(await findFfmpeg(fakeDeps({ env: { PATH: '/usr/bin', FFMPEG_PATH: '/opt/ff/ffmpeg' }, files })), '/opt/ff/ffmpeg');
  t.is(await findFfmpeg(fakeDeps({ env: { PATH: '/usr/bin', FFMPEG_PATH: '/missing/ffmpeg' }, files })), null);
});

test('reports version and which wanted encoders exist', async (t) => {
  const deps = fakeDeps({
    env: { PATH: '/usr/bin' },
    files: ['/usr/bin/ffmpeg'],
    programs: { '/usr/bin/ffmpeg': (args) => ok(args[0] === '-version' ? DEBIAN_12 : ENCODERS) },
  });
  t.deepEqual(await detectFfmpeg(deps), {
    path: '/usr/bin/ffmpeg',
    version: '5.1.6-0+deb12u1',
    encoders: ['libx264', 'prores_ks', 'h264_nvenc', 'png', 'aac', 'pcm_s16le'],
  });
  t.true(deps.calls.some((c) => c.args.join(' ') === '-hide_banner -encoders'));
});

test('a minimal build reports neither libx264 nor prores_ks', async (t) => {
  const deps = fakeDeps({
    env: { PATH: '/usr/bin' },
    files: ['/usr/bin/ffmpeg'],
    programs: { '/usr/bin/ffmpeg': (args) => ok(args[0] === '-version' ? ARCH_N61 : ENCODERS_MINIMAL) },
  });
  t.deepEqual((await detectFfmpeg(deps))?.encoders, ['aac']);
});

test('absent or broken ffmpeg → null', async (t) => {
  t.is(await detectFfmpeg(fakeDeps({ env: { PATH: '/usr/bin' } })), null);
  const broken = fakeDeps({ env: { PATH: '/usr/bin' }, files: ['/usr/bin/ffmpeg'], programs: { '/usr/bin/ffmpeg': () => exited(127, '', 'error while loading shared libraries: libavdevice.so.59') } });
  t.is(await detectFfmpeg(broken), null);
});

const realFfmpeg = (() => {
  try {
    return execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).length > 0;
  } catch {
    return false;
  }
})();

// Runs where ffmpeg is installed (CI installs Debian's); skipped on a machine without it.
(realFfmpeg ? test : test.skip)('real ffmpeg: version and libx264 are detected', async (t) => {
  const info = await detectFfmpeg({ exec: realExec, fileExists: realFileExists, env: process.env, platform: process.platform });
  t.truthy(info?.version);
  t.true(info?.encoders.includes('libx264'));
});
