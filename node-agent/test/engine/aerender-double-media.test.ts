// The engine's three outputs (8-bit frames, 16-bit frames, audio) rendered through the aerender
// TEST DOUBLE (real aerender cannot run here) and checked with real ffmpeg/ffprobe. Serial: each
// render starts a tsx process for the double. scripts/test/test-pattern.test.ts reads the pattern
// and the beeps back after encoding.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import type { RenderJob, RenderOutcome } from '../../src/daemon/render-engine.js';
import { AerenderRenderEngine } from '../../src/engine/aerender-render-engine.js';
import { DEEP_OUTPUT_MODULE_TEMPLATE } from '../../src/engine/aerender/arguments.js';
import { FFMPEG, FFPROBE, serialWithFfmpeg } from '../helpers/ffmpeg-available.js';

const DOUBLE = fileURLToPath(new URL('../aerender-double/aerender-double.sh', import.meta.url));
const withFfmpeg = serialWithFfmpeg(test, 'aerender double media checked with real ffmpeg');

interface Rendered {
  outcome: RenderOutcome;
  progress: Array<[number, number | null]>;
  dir: string;
}

async function render(
  t: ExecutionContext,
  output: RenderJob['output'],
  [frameStart, frameEnd]: readonly [number, number],
  env: Record<string, string> = {},
): Promise<Rendered> {
  const dir = await mkdtemp(join(tmpdir(), 'double-media-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'project.aep'), 'aep');
  const engine = new AerenderRenderEngine({ aerenderPath: () => DOUBLE, aeMajor: 24, quietTimeoutMs: 30_000, env: { ...process.env, ...env } });
  const progress: Array<[number, number | null]> = [];
  const outcome = await engine.render(
    { projectPath: join(dir, 'project.aep'), comp: 'Main', frameStart, frameEnd, outputDir: join(dir, 'out'), output },
    { onProgress: (done, last) => progress.push([done, last]), onWarning: () => undefined },
    new AbortController().signal,
  );
  return { outcome, progress, dir: join(dir, 'out') };
}

function probe(path: string): Record<string, string> {
  const json = execFileSync(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name,pix_fmt,width,height,sample_rate,channels:format=duration', '-of', 'json', path], { encoding: 'utf8' });
  const parsed = JSON.parse(json) as { streams: Array<Record<string, string | number>>; format: Record<string, string> };
  return Object.fromEntries(Object.entries({ ...parsed.streams[0], ...parsed.format }).map(([k, v]) => [k, String(v)]));
}

/** The first row of a frame as ffmpeg decodes it, `pixFmt` samples per pixel. */
function firstRow(path: string, pixFmt: 'rgba' | 'rgba64le', width: number): Buffer {
  const raw = execFileSync(FFMPEG, ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'], { maxBuffer: 64 << 20 });
  return raw.subarray(0, width * 4 * (pixFmt === 'rgba' ? 1 : 2));
}

withFfmpeg('8-bit frames: one RGBA TIFF per frame, the frame number in 16 bars', async (t) => {
  const { outcome, dir } = await render(t, { kind: 'frames', depth: 8 }, [4, 6]);
  if (!outcome.ok) return t.fail(outcome.message);
  t.deepEqual(outcome.files, [4, 5, 6].map((f) => join(dir, `frame_0000${f}.tif`)));
  t.like(probe(outcome.files[1] ?? ''), { codec_name: 'tiff', pix_fmt: 'rgba', width: '64', height: '36' });
  // Frame 5 = 0b101: bars 0 and 2 (4 pixels each at 64 wide) white, the rest black, all opaque.
  const row = firstRow(outcome.files[1] ?? '', 'rgba', 64);
  const pixel = (x: number) => [...row.subarray(x * 4, x * 4 + 4)];
  t.deepEqual(pixel(0), [255, 255, 255, 255]);
  t.deepEqual(pixel(5), [0, 0, 0, 255]);
  t.deepEqual(pixel(11), [255, 255, 255, 255]);
  t.deepEqual(pixel(63), [0, 0, 0, 255]);
});

withFfmpeg('16-bit frames: the deep template, 16 bits per sample, the size from AERENDER_DOUBLE_SIZE', async (t) => {
  const { outcome, progress } = await render(t, { kind: 'frames', depth: 16 }, [0, 3], { AERENDER_DOUBLE_SIZE: '96x54' });
  if (!outcome.ok) return t.fail(outcome.message);
  t.is(outcome.frames, 4);
  t.deepEqual(progress.at(-1), [4, 3]);
  t.like(probe(outcome.files[3] ?? ''), { codec_name: 'tiff', pix_fmt: 'rgba64le', width: '96', height: '54' });
  // Frame 3 = 0b11: bars 0 and 1 (6 pixels each at 96 wide) at full 16-bit white.
  const row = firstRow(outcome.files[3] ?? '', 'rgba64le', 96);
  const sample = (x: number, c: number) => row.readUInt16LE((x * 4 + c) * 2);
  t.is(sample(0, 0), 65535);
  t.is(sample(11, 2), 65535);
  t.is(sample(12, 1), 0);
  t.is(sample(12, 3), 65535);
});

test.serial('a node without the 16-bit template fails the render, saying how to fix it', async (t) => {
  const { outcome } = await render(t, { kind: 'frames', depth: 16 }, [0, 3], { AERENDER_DOUBLE_MISSING_OM_TEMPLATE: DEEP_OUTPUT_MODULE_TEMPLATE });
  if (outcome.ok) return t.fail('expected a failure');
  t.is(outcome.reason, 'aerender_error');
  t.regex(outcome.message, /No output module template was found/);
  t.regex(outcome.message, /lacks the "CloudExport TIFF 16-bit" output module template.*installer/);
});

for (const [fps, range, seconds] of [[25, [100, 149], 2], [29.97, [0, 89], 90 / 29.97]] as const) {
  withFfmpeg(`audio at ${fps} fps: one AIFF lasting frames/fps, progress per frame`, async (t) => {
    const { outcome, progress, dir } = await render(t, { kind: 'audio' }, range, { AERENDER_DOUBLE_FPS: String(fps) });
    if (!outcome.ok) return t.fail(outcome.message);
    const frames = range[1] - range[0] + 1;
    t.deepEqual(outcome, { ok: true, frames, files: [join(dir, 'audio.aif')] });
    t.deepEqual(progress.at(-1), [frames, range[1]]);
    t.true(progress.length > 1, 'progress came in as the frames went, not only at the end');
    const probed = probe(join(dir, 'audio.aif'));
    t.like(probed, { codec_name: 'pcm_s16be', sample_rate: '48000', channels: '2' });
    t.true(Math.abs(Number(probed.duration) - seconds) <= 0.001, `duration ${probed.duration} s, expected ${seconds} s`);
  });
}

test.serial('audio: no file written fails with missing_frames naming the file', async (t) => {
  const { outcome, dir } = await render(t, { kind: 'audio' }, [0, 9], { AERENDER_DOUBLE_SKIP_FRAME: '5' });
  if (outcome.ok) return t.fail('expected a failure');
  t.is(outcome.reason, 'missing_frames');
  t.true(outcome.message.includes(`wrote no audio file at ${join(dir, 'audio.aif')}`), outcome.message);
});
