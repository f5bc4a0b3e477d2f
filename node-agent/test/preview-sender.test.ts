// Live previews with real ffmpeg/ffprobe (scripts/ci/ensure-ffmpeg.sh installs them) on real
// RGBA TIFFs, 8- and 16-bit, as AE's "TIFF Sequence with Alpha" and the 16-bit template write.
import { execFileSync } from 'node:child_process';
import { appendFile, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import pino from 'pino';
import { startPreviews, type FramePreview } from '../src/daemon/preview-sender.js';
import { FFMPEG, FFPROBE, hasFfmpeg, serialWithFfmpeg } from './helpers/ffmpeg-available.js';

const test = anyTest as TestFn<{ dir: string }>;
const withFfmpeg = serialWithFfmpeg(test, 'live previews with real ffmpeg');

const log = pino({ level: 'silent' });
const INTERVAL = 250;

test.before(async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'previews-'));
  t.context = { dir };
  if (!hasFfmpeg) return;
  execFileSync(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360', '-frames:v', '1', '-pix_fmt', 'rgba', join(dir, 'f.tif')]);
  execFileSync(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360', '-frames:v', '1', '-pix_fmt', 'rgba64le', join(dir, 'f16.tif')]);
});
test.after.always(async (t) => rm(t.context.dir, { recursive: true, force: true }));

let folders = 0;
async function framesDir(t: { context: { dir: string } }): Promise<string> {
  folders += 1;
  const dir = join(t.context.dir, `frames-${folders}`);
  await mkdir(dir);
  return dir;
}

const frameName = (n: number) => `frame_${String(n).padStart(5, '0')}.tif`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(check: () => T | undefined | null | false, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** What ffprobe reads in a preview. */
async function probe(t: { context: { dir: string } }, p: FramePreview): Promise<{ codec_name: string; width: number; height: number }> {
  const file = join(t.context.dir, `probe-${p.frame}-${Date.now()}.jpg`);
  await writeFile(file, Buffer.from(p.jpeg, 'base64'));
  const out = execFileSync(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file]).toString();
  return JSON.parse(out).streams[0];
}

interface Sent {
  p: FramePreview;
  at: number;
}

withFfmpeg('sends the newest finished frame as a JPEG at most 320 px wide, at most one per interval, and stops cleanly', async (t) => {
  const { dir } = t.context;
  const frames = await framesDir(t);
  await copyFile(join(dir, 'f.tif'), join(frames, frameName(1)));
  await copyFile(join(dir, 'f.tif'), join(frames, frameName(2)));
  const sent: Sent[] = [];
  const previews = startPreviews({ outputDir: frames, ffmpegPath: FFMPEG, intervalMs: INTERVAL, minIntervalMs: INTERVAL, send: (p) => void sent.push({ p, at: Date.now() }), log });
  t.teardown(() => previews.stop()); // also when the test fails first: a live sender keeps the file from exiting

  const first = (await eventually(() => sent[0], 5_000, 'a first preview')).p;
  t.is(first.frame, 2, 'the newest finished frame');
  const jpeg = Buffer.from(first.jpeg, 'base64');
  t.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
  t.deepEqual(await probe(t, first), { codec_name: 'mjpeg', width: 320, height: 180 });
  t.like(first, { width: 320, height: 180 }, 'the size it reports is the JPEG’s');

  // a 16-bit frame comes next
  await copyFile(join(dir, 'f16.tif'), join(frames, frameName(3)));
  const deep = (await eventually(() => sent.find((s) => s.p.frame === 3), 5_000, 'the 16-bit frame')).p;
  t.deepEqual(await probe(t, deep), { codec_name: 'mjpeg', width: 320, height: 180 });

  await sleep(INTERVAL * 4);
  t.deepEqual(sent.map((s) => s.p.frame), [2, 3], 'nothing newer: nothing sent again');
  for (let i = 1; i < sent.length; i += 1) t.true(sent[i]!.at - sent[i - 1]!.at >= INTERVAL - 5, 'at most one per interval');

  await previews.stop();
  await copyFile(join(dir, 'f.tif'), join(frames, frameName(4)));
  await sleep(INTERVAL * 4);
  t.is(sent.length, 2, 'nothing after stop()');
});

withFfmpeg('a frame still being written is not sent until its file stops changing', async (t) => {
  const { dir } = t.context;
  const frames = await framesDir(t);
  await copyFile(join(dir, 'f.tif'), join(frames, frameName(7)));
  const sent: Sent[] = [];
  const controller = new AbortController();
  startPreviews({ outputDir: frames, ffmpegPath: FFMPEG, intervalMs: INTERVAL, minIntervalMs: INTERVAL, send: (p) => void sent.push({ p, at: Date.now() }), log, signal: controller.signal });
  await eventually(() => sent.find((s) => s.p.frame === 7), 5_000, 'frame 7');

  // frame 8 arrives the way a renderer writes it: a piece at a time, over several intervals
  const whole = await readFile(join(dir, 'f.tif'));
  const pieces = 24;
  const step = Math.ceil(whole.length / pieces);
  for (let i = 0; i < pieces; i += 1) {
    await appendFile(join(frames, frameName(8)), whole.subarray(i * step, (i + 1) * step));
    await sleep(INTERVAL / 4);
  }
  const written = Date.now();
  t.false(sent.some((s) => s.p.frame === 8), 'not sent while being written');
  const eight = await eventually(() => sent.find((s) => s.p.frame === 8), 5_000, 'frame 8 once written');
  t.true(eight.at >= written);
  t.deepEqual(await probe(t, eight.p), { codec_name: 'mjpeg', width: 320, height: 180 }, 'a whole frame, not a torn one');

  controller.abort(); // the chunk's signal stops it as stop() does
  await copyFile(join(dir, 'f.tif'), join(frames, frameName(9)));
  await sleep(INTERVAL * 4);
  t.deepEqual(sent.map((s) => s.p.frame), [7, 8]);
});

withFfmpeg('never more than one conversion at a time, however slow ffmpeg is', async (t) => {
  const { dir } = t.context;
  const frames = await framesDir(t);
  // real ffmpeg behind a wrapper that takes its time and notes when each conversion runs
  const journal = join(dir, 'journal.txt');
  const slowFfmpeg = join(dir, 'slow-ffmpeg.sh');
  await writeFile(slowFfmpeg, `#!/bin/sh\necho start >> '${journal}'\nsleep 0.4\n${FFMPEG} "$@"\nrc=$?\necho end >> '${journal}'\nexit $rc\n`);
  await chmod(slowFfmpeg, 0o755);
  const sent: Sent[] = [];
  const previews = startPreviews({ outputDir: frames, ffmpegPath: slowFfmpeg, intervalMs: 50, minIntervalMs: 50, send: (p) => void sent.push({ p, at: Date.now() }), log });
  t.teardown(() => previews.stop()); // also when the test fails first: a live sender keeps the file from exiting
  // frames keep coming until three previews went out: on a loaded machine that takes longer.
  // Every other one is also reported done, so the report path and the watch compete for ffmpeg
  for (let n = 1; n <= 200 && sent.length < 3; n += 1) {
    await copyFile(join(dir, 'f.tif'), join(frames, frameName(n)));
    if (n % 2 === 1) previews.frameDone(n);
    await sleep(100);
  }
  await eventually(() => sent.length >= 3, 10_000, 'three previews');
  await previews.stop();
  const lines = (await readFile(journal, 'utf8')).trim().split('\n');
  t.true(lines.length >= 6);
  t.true(lines.every((line, i) => line === (i % 2 === 0 ? 'start' : 'end')), `conversions never overlap: ${lines.join(' ')}`);
  const numbers = sent.map((s) => s.p.frame);
  t.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'always newer than the last');
  t.is(new Set(numbers).size, numbers.length);
});

withFfmpeg('a frame the engine reports done is sent at once, not after the files settle', async (t) => {
  const { dir } = t.context;
  const frames = await framesDir(t);
  const sent: Sent[] = [];
  // a look every 10 s: only the report can explain a preview within the second
  const previews = startPreviews({ outputDir: frames, ffmpegPath: FFMPEG, intervalMs: 10_000, send: (p) => void sent.push({ p, at: Date.now() }), log });
  t.teardown(() => previews.stop()); // also when the test fails first: a live sender keeps the file from exiting
  const lookedAt = Date.now();
  await sleep(100); // the first look has seen an empty folder
  await copyFile(join(dir, 'f.tif'), join(frames, frameName(5)));
  const reportedAt = Date.now();
  previews.frameDone(5);
  const five = await eventually(() => sent.find((s) => s.p.frame === 5), 9_000, 'the reported frame');
  // here only the cause, not the speed (which a loaded machine stretches): the watch looks again
  // 10 s after its first look, so anything sent before then was sent because of the report
  t.log(`reported → sent: ${five.at - reportedAt} ms`);
  t.true(five.at < lookedAt + 10_000, 'sent on the report, before the stability watch looked again');
  const renderedAt = Date.parse(five.p.renderedAt!);
  t.true(renderedAt >= reportedAt && renderedAt <= five.at, 'renderedAt is when the report came');
  t.deepEqual(await probe(t, five.p), { codec_name: 'mjpeg', width: 320, height: 180 });

  // under multi-frame rendering an older frame can be reported after a newer one: never sent backwards
  await copyFile(join(dir, 'f.tif'), join(frames, frameName(4)));
  previews.frameDone(4);
  await sleep(1_300);
  t.deepEqual(sent.map((s) => s.p.frame), [5]);
  await previews.stop();
});

withFfmpeg('reports faster than minIntervalMs: one preview per minIntervalMs, of the newest frame reported', async (t) => {
  const { dir } = t.context;
  const frames = await framesDir(t);
  const sent: Sent[] = [];
  const MIN = 400;
  const previews = startPreviews({ outputDir: frames, ffmpegPath: FFMPEG, intervalMs: 60_000, minIntervalMs: MIN, send: (p) => void sent.push({ p, at: Date.now() }), log });
  t.teardown(() => previews.stop()); // also when the test fails first: a live sender keeps the file from exiting
  const reports: { frame: number; at: number }[] = [];
  for (let n = 1; n <= 40; n += 1) {
    await copyFile(join(dir, 'f.tif'), join(frames, frameName(n)));
    reports.push({ frame: n, at: Date.now() });
    previews.frameDone(n);
    await sleep(50);
  }
  await eventually(() => sent.find((s) => s.p.frame === 40), 10_000, 'the last frame reported');
  await previews.stop();
  const numbers = sent.map((s) => s.p.frame);
  t.is(numbers[0], 1, 'the first at once');
  t.deepEqual(numbers, [...new Set(numbers)].sort((a, b) => a - b), 'always newer than the last');
  for (let i = 1; i < sent.length; i += 1) t.true(sent[i]!.at - sent[i - 1]!.at >= MIN - 5, `at most one per ${MIN} ms`);
  const span = sent.at(-1)!.at - sent[0]!.at;
  t.true(sent.length <= Math.floor(span / MIN) + 1);
  // fresh, not first-come: a frame reported while previews were not allowed is superseded by later
  // reports, so each preview is at least the newest frame reported by the time previews were
  // allowed again (how long each waited depends on this machine's load: logged, not asserted)
  for (let i = 1; i < sent.length; i += 1) {
    const allowedAt = sent[i - 1]!.at + MIN;
    const newestThen = reports.filter((r) => r.at <= allowedAt).at(-1)!;
    t.true(sent[i]!.p.frame >= newestThen.frame, `frame ${sent[i]!.p.frame} sent, ${newestThen.frame} was reported by the time previews were allowed`);
    t.log(`frame ${sent[i]!.p.frame}: reported → sent ${sent[i]!.at - Date.parse(sent[i]!.p.renderedAt!)} ms`);
  }
});

withFfmpeg('a frame reported before its file is on disk is still sent, by the stability watch', async (t) => {
  const { dir } = t.context;
  const frames = await framesDir(t);
  const sent: Sent[] = [];
  const previews = startPreviews({ outputDir: frames, ffmpegPath: FFMPEG, intervalMs: INTERVAL, minIntervalMs: INTERVAL, send: (p) => void sent.push({ p, at: Date.now() }), log });
  t.teardown(() => previews.stop()); // also when the test fails first: a live sender keeps the file from exiting
  previews.frameDone(9);
  await sleep(INTERVAL);
  t.deepEqual(sent, [], 'nothing to convert yet');
  await copyFile(join(dir, 'f.tif'), join(frames, frameName(9)));
  const nine = await eventually(() => sent.find((s) => s.p.frame === 9), 5_000, 'frame 9 once on disk');
  t.truthy(nine.p.renderedAt, 'the watch dates it when it finds it finished');
  await previews.stop();
});

test('without ffmpeg nothing is converted or sent, and stop() still resolves', async (t) => {
  const frames = await framesDir(t);
  await writeFile(join(frames, frameName(1)), Buffer.alloc(1_000, 1));
  await writeFile(join(frames, frameName(2)), Buffer.alloc(1_000, 2));
  const sent: FramePreview[] = [];
  const none = startPreviews({ outputDir: frames, ffmpegPath: null, intervalMs: 20, send: (p) => void sent.push(p), log });
  t.teardown(() => none.stop());
  const missing = startPreviews({ outputDir: frames, ffmpegPath: join(frames, 'no-such-ffmpeg'), intervalMs: 20, send: (p) => void sent.push(p), log });
  t.teardown(() => missing.stop());
  await sleep(200);
  await Promise.all([none.stop(), missing.stop()]);
  t.deepEqual(sent, []);
});
