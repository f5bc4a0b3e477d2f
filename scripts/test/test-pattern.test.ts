// The test-pattern decoders against the aerender TEST DOUBLE's media (real aerender cannot run
// here), through the node agent's real engine and real ffmpeg encodes shaped like the assembly's:
// scaled to 1080p, H.264 / ProRes, AAC. Serial: each render starts a tsx process for the double.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { RenderJob } from '../../node-agent/src/daemon/render-engine.js';
import { AerenderRenderEngine } from '../../node-agent/src/engine/aerender-render-engine.js';
import { aerenderDouble } from './helpers/agent-processes.js';
import { findBeeps, frameNumberGaps, frameNumbersAreConsecutive, readFrameNumbers } from './helpers/test-pattern.js';
import { FFMPEG, serialWithFfmpeg } from '../../node-agent/test/helpers/ffmpeg-available.js';

const serial = serialWithFfmpeg(test, 'test-pattern decoders with real ffmpeg');

async function render(t: ExecutionContext, output: RenderJob['output'], [frameStart, frameEnd]: [number, number], fps: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'test-pattern-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'project.aep'), 'aep');
  const engine = new AerenderRenderEngine({ aerenderPath: () => aerenderDouble, aeMajor: 24, quietTimeoutMs: 30_000, env: { ...process.env, AERENDER_DOUBLE_FPS: String(fps) } });
  const outcome = await engine.render(
    { projectPath: join(dir, 'project.aep'), comp: 'Main', frameStart, frameEnd, outputDir: join(dir, 'out'), output },
    { onProgress: () => undefined, onWarning: () => undefined },
    new AbortController().signal,
  );
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.files;
}

function ffmpeg(args: string[]): void {
  execFileSync(FFMPEG, ['-v', 'error', '-y', ...args]);
}

const range = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i);

serial('8-bit frames → 1080p H.264: every frame number reads back, across a 1023→1024 carry', async (t) => {
  const files = await render(t, { kind: 'frames', depth: 8 }, [1010, 1034], 25);
  const movie = join(files[0] ?? '', '../movie.mp4');
  ffmpeg(['-framerate', '25', '-start_number', '1010', '-i', join(files[0] ?? '', '../frame_%05d.tif'),
    '-vf', 'scale=1920:1080', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '35', '-pix_fmt', 'yuv420p', movie]);
  const numbers = await readFrameNumbers(movie, FFMPEG);
  t.deepEqual(frameNumberGaps(numbers, 1010), []);
  t.is(numbers.length, 25);
  t.true(frameNumbersAreConsecutive(numbers, 1010));
});

serial('16-bit frames → 1080p 10-bit ProRes 422 HQ read back too; a dropped frame shows as a gap', async (t) => {
  const files = await render(t, { kind: 'frames', depth: 16 }, [0, 11], 25);
  const movie = join(files[0] ?? '', '../movie.mov');
  ffmpeg(['-framerate', '25', '-start_number', '0', '-i', join(files[0] ?? '', '../frame_%05d.tif'),
    '-vf', 'scale=1920:1080', '-c:v', 'prores_ks', '-profile:v', '3', '-pix_fmt', 'yuv422p10le', movie]);
  t.deepEqual(await readFrameNumbers(movie, FFMPEG), range(0, 12));
  const dropped = [...range(0, 5), ...range(6, 6)];
  t.false(frameNumbersAreConsecutive(dropped, 0));
  t.deepEqual(frameNumberGaps(dropped, 0)[0], { index: 5, expected: 5, found: 6 });
});

for (const [fps, first, last, beepFrames] of [
  [25, 90, 189, [100, 125, 150, 175]],
  [29.97, 0, 89, [0, 30, 60]],
] as const) {
  serial(`audio at ${fps} fps: the beep of comp frame N is found at (N - first)/fps, in the AIFF and after AAC`, async (t) => {
    const [aiff = ''] = await render(t, { kind: 'audio' }, [first, last], fps);
    const expected = beepFrames.map((n) => (n - first) / fps);
    const near = (found: number[], tolerance: number) =>
      found.length === expected.length && found.every((s, i) => Math.abs(s - (expected[i] ?? 0)) <= tolerance);
    const inAiff = await findBeeps(aiff, FFMPEG);
    t.true(near(inAiff, 0.001), `AIFF beeps at ${inAiff.join(', ')} s; expected ${expected.join(', ')} s`);
    // Muxed under a picture as the assembly does: AAC's encoder delay is undone by the MP4 edit list.
    const movie = join(aiff, '../muxed.mp4');
    ffmpeg(['-f', 'lavfi', '-i', `color=black:size=320x180:rate=${fps}`, '-i', aiff, '-shortest',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-b:a', '192k', movie]);
    const inMovie = await findBeeps(movie, FFMPEG);
    t.true(near(inMovie, 0.005), `muxed beeps at ${inMovie.join(', ')} s; expected ${expected.join(', ')} s`);
  });
}
