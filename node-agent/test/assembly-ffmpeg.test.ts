// Real ffmpeg/ffprobe (scripts/ci/ensure-ffmpeg.sh installs them). Serial: on a 2-core machine
// parallel encodes only slow each other down and blur the timings logged below.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { PRESETS, resolvePreset, type RenderPreset } from '@cloudexport/shared';
import { encodeArguments, type AudioInput, type EncodeInput } from '../src/assembly/encode-args.js';
import { runFfmpeg, type FfmpegProgress } from '../src/assembly/run-ffmpeg.js';
import { verifyDeliverable } from '../src/assembly/verify-deliverable.js';
import { FFMPEG, FFPROBE, hasFfmpeg, serialWithFfmpeg } from './helpers/ffmpeg-available.js';

const test = anyTest as TestFn<{ dir: string }>;
const serial = serialWithFfmpeg(test, 'assembly with real ffmpeg');

const FIRST = 1001;
const FRAMES = 48;
// 4:3 on purpose (the deliverables are 16:9). Noise makes the encoder work for its bitrate (the
// CBR buffer must not let it overshoot); the flat picture that needs filler to reach the target is
// in assembly-deliverable.test.ts.
const COMP = { width: 320, height: 240, fps: 29.97 };

test.before(async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'assembly-'));
  t.context = { dir };
  if (!hasFfmpeg) return;
  // testsrc draws the frame number itself (no font needed).
  execFileSync(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30000/1001,noise=alls=30:allf=t+u',
    '-frames:v', String(FRAMES), '-start_number', String(FIRST), join(dir, 'frame_%05d.png')]);
  // 1 s of tone, shorter than the 1.6 s picture: the video must not be cut to it.
  execFileSync(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-ar', '48000', join(dir, 'sound.wav')]);
});
test.after.always(async (t) => rm(t.context.dir, { recursive: true, force: true }));

async function encode(t: { context: { dir: string }; log: (...v: unknown[]) => void }, preset: RenderPreset, name: string, over: Partial<EncodeInput> = {}) {
  const { dir } = t.context;
  const plan = encodeArguments({
    preset, comp: COMP, speed: 'ultrafast',
    frames: { pattern: join(dir, 'frame_%05d.png'), startNumber: FIRST, frameCount: FRAMES },
    outputPath: join(dir, `${name}.${preset.container}`),
    ...over,
  });
  const progress: FfmpegProgress[] = [];
  const result = await runFfmpeg({ ffmpegPath: FFMPEG, args: plan.args, framesTotal: plan.expected.frameCount }, (p) => progress.push(p));
  if (!result.ok) throw new Error(`${result.message}\n${result.lastLines.join('\n')}`);
  const verified = await verifyDeliverable(join(dir, `${name}.${preset.container}`), plan.expected, { ffprobePath: FFPROBE });
  t.log(`${name}: ${plan.expected.frameCount} frames ${COMP.width}×${COMP.height} → ${preset.width}×${preset.height} ${preset.codec} in ${result.wallMs} ms; probe ${JSON.stringify(verified.probe)}`);
  return { plan, result, progress, verified };
}

serial('web: 4:3 frames at 29.97 with short audio → 1080p H.264 MP4 that verifies', async (t) => {
  const audio: AudioInput = { path: join(t.context.dir, 'sound.wav') };
  const { result, progress, verified } = await encode(t, PRESETS.web, 'web', { audio });
  t.deepEqual(verified.failures, []);
  t.is(result.framesDone, FRAMES);
  t.is(progress.at(-1)?.framesDone, FRAMES);
  t.is(verified.probe?.frameRate, '30000/1001');
  t.is(verified.probe?.audioCodec, 'aac');
});

serial('social: 1080p H.264 at 12 Mbps verifies', async (t) => {
  const { verified } = await encode(t, PRESETS.social, 'social');
  t.deepEqual(verified.failures, []);
  t.true(Math.abs((verified.probe?.videoBitrateMbps ?? 0) - 12) <= 1.2);
});

serial('custom H.265 640×360 at 2 Mbps verifies', async (t) => {
  const preset = resolvePreset('custom', { width: 640, height: 360, codec: 'h265', bitrateMbps: 2, container: 'mp4' });
  const { verified } = await encode(t, preset, 'h265');
  t.deepEqual(verified.failures, []);
  t.is(verified.probe?.videoCodec, 'hevc');
});

serial('custom ProRes 4444 with 24-bit PCM verifies', async (t) => {
  const preset = resolvePreset('custom', { width: 640, height: 360, codec: 'prores_4444', container: 'mov' });
  const { verified } = await encode(t, preset, 'p4444', { audio: { path: join(t.context.dir, 'sound.wav'), pcm: 's24le' } });
  t.deepEqual(verified.failures, []);
  t.is(verified.probe?.profile, '4444');
  t.is(verified.probe?.audioCodec, 'pcm_s24le');
});

serial('High Quality: 12 frames → 3840×2160 ProRes 422 MOV verifies', async (t) => {
  const { verified } = await encode(t, PRESETS.hq, 'hq', { frames: { pattern: join(t.context.dir, 'frame_%05d.png'), startNumber: FIRST, frameCount: 12 } });
  t.deepEqual(verified.failures, []);
  t.is(verified.probe?.profile, 'Standard');
});

serial('a frame missing from the sequence fails verification with the count', async (t) => {
  const { dir } = t.context;
  await unlink(join(dir, `frame_0${FIRST + FRAMES - 1}.png`)).catch(() => undefined);
  t.teardown(() => execFileSync(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240', '-frames:v', '1', '-y', join(dir, `frame_0${FIRST + FRAMES - 1}.png`)]));
  const preset = resolvePreset('custom', { width: 640, height: 360, codec: 'prores_422', container: 'mov' });
  const { verified } = await encode(t, preset, 'missing');
  t.false(verified.ok);
  t.true(verified.failures.includes(`frame count ${FRAMES - 1}, expected ${FRAMES}`), verified.failures.join('; '));
  t.true(verified.failures.some((f) => f.startsWith('duration 1.568 s, expected 1.602 s')), verified.failures.join('; '));
});

serial('an unreadable file is one failure, not a throw', async (t) => {
  const { plan } = { plan: encodeArguments({ preset: PRESETS.web, comp: COMP, frames: { pattern: 'x_%05d.png', startNumber: 0, frameCount: 1 }, outputPath: 'x.mp4' }) };
  const verified = await verifyDeliverable(join(t.context.dir, 'sound.wav.nope'), plan.expected, { ffprobePath: FFPROBE });
  t.is(verified.failures.length, 1);
  t.regex(verified.failures[0] ?? '', /^ffprobe could not read .*sound\.wav\.nope: .*No such file/);
});

serial('a failing encode reports ffmpeg\'s own error line', async (t) => {
  const plan = encodeArguments({ preset: PRESETS.web, comp: COMP, frames: { pattern: join(t.context.dir, 'nothing_%05d.png'), startNumber: 0, frameCount: 5 }, outputPath: join(t.context.dir, 'none.mp4') });
  const result = await runFfmpeg({ ffmpegPath: FFMPEG, args: plan.args, framesTotal: 5 });
  t.false(result.ok);
  if (result.ok) return;
  t.is(result.reason, 'exit_code');
  t.regex(result.message, /^ffmpeg exited with code \d+ after 0 of 5 frames: .*nothing_%05d\.png/);
});

serial('aborting kills ffmpeg mid-encode', async (t) => {
  const { dir } = t.context;
  // Loop the frames into a long 4K ProRes encode that would take minutes.
  const plan = encodeArguments({ preset: PRESETS.hq, comp: COMP, frames: { pattern: join(dir, 'frame_%05d.png'), startNumber: FIRST, frameCount: 100_000 }, outputPath: join(dir, 'abort.mov') });
  const args = ['-stream_loop', '-1', ...plan.args];
  const controller = new AbortController();
  const started = Date.now();
  const result = await runFfmpeg({ ffmpegPath: FFMPEG, args, framesTotal: 100_000 }, (p) => {
    if (p.framesDone > 0) controller.abort();
  }, controller.signal);
  t.false(result.ok);
  if (result.ok) return;
  t.is(result.reason, 'cancelled');
  t.regex(result.message, /^The encode was cancelled after \d+ of 100000 frames; ffmpeg was stopped\.$/);
  t.true(Date.now() - started < 15_000);
  // Nothing named ffmpeg with our output path is left running.
  const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(join(dir, 'abort.mov')));
  t.deepEqual(left, []);
});
