// The assemble chunk's pipeline against real parts: sealed frames served over HTTP the way storage
// serves them, fetchInputs decrypting them, and assembleDeliverable with real ffmpeg/ffprobe
// (scripts/ci/ensure-ffmpeg.sh installs them). The fetch tests need no ffmpeg. The encodes run
// serially: on a 2-core machine parallel encodes only slow each other down.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import nacl from 'tweetnacl';
import {
  MIN_RECORD_SIZE,
  newContentKey,
  PRESETS,
  resolvePreset,
  sealKeysForNode,
  type AssemblyInput,
  type AssemblyTicket,
  type CustomPreset,
  type DeliverableSpec,
  type RenderPreset,
} from '@cloudexport/shared';
import { sealBuffer } from '@cloudexport/shared/node';
import { assembleDeliverable, type AssembleRequest, type AssembleResult } from '../src/assembly/assemble-deliverable.js';
import { fetchInputs, frameFileName, type FetchedInputs } from '../src/assembly/fetch-inputs.js';
import type { PackSummary } from '../src/assembly/pack-frames.js';
import type { ProbeSummary } from '../src/assembly/verify-deliverable.js';
import { FFMPEG, FFPROBE, hasFfmpeg, serialWithFfmpeg } from './helpers/ffmpeg-available.js';

const ENCODERS = ['libx264', 'libx265', 'prores_ks'];

interface Stored {
  body: Buffer;
  /** Serve only this many bytes (a storage that lost the end of a file). */
  truncateTo?: number;
}

interface Context {
  dir: string;
  server: http.Server;
  base: string;
  store: Map<string, Stored>;
  hits: { count: number };
  box: nacl.BoxKeyPair;
  /** Real frames (and sound) fetched once, for the encode tests. */
  fetched8: FetchedInputs | null;
  fetched16: FetchedInputs | null;
}

const test = anyTest as TestFn<Context>;
const withFfmpeg = serialWithFfmpeg(test, 'assembly encodes with real ffmpeg');

const FIRST = 1001;
const FRAMES = 48;
const HQ_FRAMES = 6;
const COMP = { name: 'Main', width: 320, height: 180, fps: 25, pixelAspect: 1 };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ff = (args: string[]) => execFileSync(FFMPEG, ['-v', 'error', '-y', ...args]);

/**
 * Seals files as frame chunks do (one content key per chunk of `perChunk` files, 64 KiB records so
 * a frame spans several), stores them, and writes the ticket the coordinator would hand out.
 */
function sealTicket(t: { context: Context }, files: { role: 'frame' | 'audio'; frame: number | null; name: string; body: Buffer }[], perChunk = 10): AssemblyTicket {
  const { store, base, box } = t.context;
  const chunkKeys = Array.from({ length: Math.ceil(files.length / perChunk) }, () => newContentKey());
  const sealedKeys = sealKeysForNode(chunkKeys, box.publicKey);
  const inputs = files.map((f, i): AssemblyInput => {
    const key = chunkKeys[Math.floor(i / perChunk)] as Uint8Array;
    const sealed = sealBuffer(key, f.body, { recordSize: MIN_RECORD_SIZE });
    const id = randomBytes(8).toString('hex');
    store.set(id, { body: sealed });
    return {
      role: f.role,
      frame: f.frame,
      name: f.name,
      size: f.body.length,
      sha256: sha(f.body),
      sealedSize: sealed.length,
      recordSize: MIN_RECORD_SIZE,
      sealedKey: Buffer.from(sealedKeys[Math.floor(i / perChunk)] as Uint8Array).toString('base64'),
      request: { method: 'GET', url: `${base}/blobs/${id}`, headers: {}, expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
    };
  });
  return { inputs };
}

const idOf = (input: AssemblyInput) => input.request.url.split('/').at(-1) as string;

test.before(async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'assembly-deliverable-'));
  const store = new Map<string, Stored>();
  const hits = { count: 0 };
  const server = http.createServer((req, res) => {
    hits.count += 1;
    const stored = store.get((req.url ?? '').replace(/^\/blobs\//, ''));
    if (!stored || req.method !== 'GET') return void res.writeHead(404).end('NoSuchKey');
    const body = stored.truncateTo === undefined ? stored.body : stored.body.subarray(0, stored.truncateTo);
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.context = { dir, server, base, store, hits, box: nacl.box.keyPair(), fetched8: null, fetched16: null };
  if (!hasFfmpeg) return;

  // What frame chunks render: 8-bit RGBA TIFF for H.264/H.265, 16-bit for ProRes; and the sound.
  const src = join(dir, 'rendered');
  await mkdir(src);
  ff(['-f', 'lavfi', '-i', `testsrc2=size=${COMP.width}x${COMP.height}:rate=${COMP.fps}`, '-frames:v', String(FRAMES), '-pix_fmt', 'rgba', '-start_number', String(FIRST), join(src, 'frame_%05d.tif')]);
  ff(['-f', 'lavfi', '-i', `testsrc2=size=${COMP.width}x${COMP.height}:rate=${COMP.fps}`, '-frames:v', String(HQ_FRAMES), '-pix_fmt', 'rgba64le', '-start_number', String(FIRST), join(src, 'deep_%05d.tif')]);
  // 1 s of tone, shorter than the picture: the movie must not be cut to it.
  ff(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=1', '-c:a', 'pcm_s16be', '-f', 'aiff', join(src, 'audio.aif')]);
  const audio = { role: 'audio' as const, frame: null, name: 'audio.aif', body: await readFile(join(src, 'audio.aif')) };
  const frames = async (prefix: string, count: number) =>
    Promise.all(Array.from({ length: count }, async (_, i) => ({ role: 'frame' as const, frame: FIRST + i, name: `${prefix}_0${FIRST + i}.tif`, body: await readFile(join(src, `${prefix}_0${FIRST + i}.tif`)) })));
  const options = { boxSecretKey: t.context.box.secretKey };
  t.context.fetched8 = await fetchInputs(sealTicket(t, [audio, ...(await frames('frame', FRAMES))]), { ...options, dir: join(dir, 'fetched8') });
  t.context.fetched16 = await fetchInputs(sealTicket(t, [...(await frames('deep', HQ_FRAMES)), audio]), { ...options, dir: join(dir, 'fetched16') });
});

test.after.always(async (t) => {
  t.context.server?.close();
  if (t.context.dir) await rm(t.context.dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// fetchInputs

const fakeFrames = (first: number, count: number, size = 150_000) =>
  Array.from({ length: count }, (_, i) => ({ role: 'frame' as const, frame: first + i, name: `render_${first + i}.tif`, body: randomBytes(size + i) }));

test('fetchInputs decrypts and checks every frame and the sound into the folder, named by frame number', async (t) => {
  const files = [...fakeFrames(100, 24), { role: 'audio' as const, frame: null, name: 'sound.aif', body: randomBytes(70_000) }];
  // The coordinator lists inputs in any order.
  const ticket = sealTicket(t, [...files].reverse());
  const dir = join(t.context.dir, 'fetch-ok%');
  const reports: [number, number][] = [];
  const got = await fetchInputs(ticket, { dir, boxSecretKey: t.context.box.secretKey, concurrency: 3, onBytes: (done, total) => reports.push([done, total]) });
  t.is(got.firstFrame, 100);
  t.is(got.frameCount, 24);
  t.is(got.extension, 'tif');
  t.is(got.framesDir, join(dir, 'frames'));
  t.is(got.pattern, join(t.context.dir, 'fetch-ok%%', 'frames', 'frame_%06d.tif'));
  t.is(got.audioPath, join(dir, 'audio.aif'));
  t.is(got.bytes, files.reduce((n, f) => n + f.body.length, 0));
  t.deepEqual((await readdir(got.framesDir)).sort(), Array.from({ length: 24 }, (_, i) => frameFileName(100 + i, 'tif')));
  t.is(frameFileName(100, 'tif'), 'frame_000100.tif');
  for (const f of files) {
    const path = f.role === 'audio' ? join(dir, 'audio.aif') : join(got.framesDir, frameFileName(f.frame as number, 'tif'));
    t.true((await readFile(path)).equals(f.body), path);
  }
  const sealedTotal = ticket.inputs.reduce((n, i) => n + i.sealedSize, 0);
  t.deepEqual(reports.at(-1), [sealedTotal, sealedTotal]);
  // A second try into the same folder replaces what the first left.
  const again = await fetchInputs({ inputs: ticket.inputs.filter((i) => i.frame !== null && i.frame < 112) }, { dir, boxSecretKey: t.context.box.secretKey });
  t.is(again.frameCount, 12);
  t.is((await readdir(got.framesDir)).length, 12);
});

async function refused(t: { context: Context }, ticket: AssemblyTicket, name: string) {
  const dir = join(t.context.dir, name);
  const before = t.context.hits.count;
  const err = await fetchInputs(ticket, { dir, boxSecretKey: t.context.box.secretKey, concurrency: 4, attempts: 1 }).then(
    () => null,
    (e: unknown) => e as Error,
  );
  const left = await readdir(join(dir, 'frames')).catch(() => []);
  return { err, left, requests: t.context.hits.count - before };
}

test('a frame whose bytes are not its sha256 is refused by name, and nothing fetched is kept', async (t) => {
  const ticket = sealTicket(t, fakeFrames(1, 12));
  const bad = ticket.inputs[5] as AssemblyInput;
  bad.sha256 = sha(Buffer.from('something else'));
  const { err, left } = await refused(t, ticket, 'fetch-sha');
  t.is(err?.name, 'AssemblyInputError');
  t.regex(err?.message ?? '', /^frame 6 \(render_6\.tif\) failed its hash check: its bytes hash to [0-9a-f]{12}…, its ticket says [0-9a-f]{12}…/);
  t.regex(err?.message ?? '', /must be rendered again\.$/);
  t.deepEqual(left, []);
});

test('a size the ticket lies about is refused before downloading; a stored file cut short after', async (t) => {
  const ticket = sealTicket(t, fakeFrames(1, 6));
  (ticket.inputs[2] as AssemblyInput).size += 1;
  const lie = await refused(t, ticket, 'fetch-size');
  t.regex(lie.err?.message ?? '', /^The ticket's sizes for frame 3 \(render_3\.tif\) disagree: 150003 bytes sealed in 65536-byte records are \d+ sealed bytes, not \d+\. Nothing was downloaded/);
  t.is(lie.requests, 0);

  const honest = sealTicket(t, fakeFrames(1, 6));
  const cut = honest.inputs[4] as AssemblyInput;
  const stored = t.context.store.get(idOf(cut)) as Stored;
  stored.truncateTo = stored.body.length - 100;
  const short = await refused(t, honest, 'fetch-short');
  t.is(short.err?.message, `Storage holds ${cut.sealedSize - 100} bytes for frame 5 (render_5.tif), but its ticket says ${cut.sealedSize}. The frames chunk that made it must be rendered again.`);
  t.deepEqual(short.left, []);
});

test('a gap in the frames is refused before anything is downloaded', async (t) => {
  const ticket = sealTicket(t, fakeFrames(10, 12));
  ticket.inputs.splice(4, 3); // frames 14, 15, 16
  const { err, requests } = await refused(t, ticket, 'fetch-gap');
  t.regex(err?.message ?? '', /^The assembly ticket skips frames 14–16 \(between render_13\.tif and render_17\.tif\); 3 frames are missing from 10–21 in all\. Nothing was downloaded/);
  t.is(requests, 0);
  const one = sealTicket(t, fakeFrames(10, 5));
  one.inputs.splice(2, 1);
  t.regex((await refused(t, one, 'fetch-gap1')).err?.message ?? '', /skips frame 12 \(between render_11\.tif and render_13\.tif\); 1 frame is missing/);
});

test('a frame listed twice is refused, as are a ticket without frames and a key sealed for another node', async (t) => {
  const ticket = sealTicket(t, fakeFrames(1, 5));
  ticket.inputs.push({ ...(ticket.inputs[3] as AssemblyInput), name: 'render_4_again.tif' });
  const twice = await refused(t, ticket, 'fetch-dup');
  t.regex(twice.err?.message ?? '', /^Frame 4 is listed twice in the assembly ticket \(render_4\.tif and render_4_again\.tif\)\. Nothing was downloaded/);
  t.is(twice.requests, 0);

  t.regex((await refused(t, sealTicket(t, [{ role: 'audio', frame: null, name: 'a.aif', body: randomBytes(10) }]), 'fetch-none')).err?.message ?? '', /^The assembly ticket lists no frames\./);

  const stranger = nacl.box.keyPair();
  const foreign = sealTicket(t, fakeFrames(1, 3));
  const resealed = sealKeysForNode([newContentKey()], stranger.publicKey)[0] as Uint8Array;
  (foreign.inputs[1] as AssemblyInput).sealedKey = Buffer.from(resealed).toString('base64');
  t.regex((await refused(t, foreign, 'fetch-key')).err?.message ?? '', /^The key of frame 2 \(render_2\.tif\) could not be opened with this node's key: .*sealed for another node/);
});

// ---------------------------------------------------------------------------------------------
// assembleDeliverable

function spec(preset: RenderPreset, over: Partial<DeliverableSpec> = {}): DeliverableSpec {
  const ext = preset.container === 'frames' ? 'tar' : preset.container;
  return { preset, comp: COMP, frameStart: FIRST, frameEnd: FIRST + FRAMES - 1, hasAudio: false, frameDepth: 8, fileName: `deliverable.${ext}`, ...over };
}
const custom = (c: CustomPreset) => resolvePreset('custom', c);

async function assemble(t: { context: Context; log: (...v: unknown[]) => void; title: string }, over: Partial<AssembleRequest> & Pick<AssembleRequest, 'spec' | 'inputs'>) {
  const progress: number[] = [];
  const started = Date.now();
  const result = await assembleDeliverable({
    workDir: join(t.context.dir, `out-${t.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`),
    ffmpegPath: FFMPEG,
    encoders: ENCODERS,
    onProgress: (done) => progress.push(done),
    ...over,
  });
  t.log(`${Date.now() - started} ms: ${JSON.stringify(result.ok ? result.probe : { reason: result.reason, message: result.message })}`);
  return { result, progress };
}

function movie(t: { fail: (m: string) => void }, result: AssembleResult): ProbeSummary {
  if (!result.ok) {
    t.fail(`${result.reason}: ${result.message}\n${result.lastLines.join('\n')}`);
    throw new Error('assembly failed');
  }
  return result.probe as ProbeSummary;
}

const within10 = (actual: number | null, target: number) => actual !== null && Math.abs(actual - target) <= target * 0.1;

withFfmpeg('web: 48 fetched 8-bit frames and AIFF sound → 1080p H.264 MP4 at 8 Mbps with AAC, verified', async (t) => {
  const inputs = t.context.fetched8 as FetchedInputs;
  const { result, progress } = await assemble(t, { spec: spec(PRESETS.web, { hasAudio: true }), inputs });
  const probe = movie(t, result);
  t.like(probe, { videoCodec: 'h264', width: 1920, height: 1080, frameCount: FRAMES, frameRate: '25/1', audioCodec: 'aac' });
  t.true(within10(probe.videoBitrateMbps, 8), String(probe.videoBitrateMbps));
  t.is(progress.at(-1), FRAMES);
  if (result.ok) t.regex(result.path, /\/out-web-[^/]+\/deliverable\.mp4$/);
});

withFfmpeg('social without sound: 1080p H.264 at 12 Mbps, the fetched sound left out', async (t) => {
  const { result } = await assemble(t, { spec: spec(PRESETS.social), inputs: t.context.fetched8 as FetchedInputs });
  const probe = movie(t, result);
  t.like(probe, { videoCodec: 'h264', frameCount: FRAMES, audioCodec: null });
  t.true(within10(probe.videoBitrateMbps, 12), String(probe.videoBitrateMbps));
});

withFfmpeg('hq: 6 fetched 16-bit frames with sound → 3840×2160 ProRes 422 MOV with PCM, verified', async (t) => {
  const s = spec(PRESETS.hq, { hasAudio: true, frameDepth: 16, frameEnd: FIRST + HQ_FRAMES - 1 });
  const { result } = await assemble(t, { spec: s, inputs: t.context.fetched16 as FetchedInputs });
  t.like(movie(t, result), { videoCodec: 'prores', profile: 'Standard', width: 3840, height: 2160, frameCount: HQ_FRAMES, frameRate: '25/1', audioCodec: 'pcm_s16le' });
});

withFfmpeg('custom H.265 640×360 at 2 Mbps with sound: HEVC within 10 % of the target', async (t) => {
  const preset = custom({ width: 640, height: 360, codec: 'h265', bitrateMbps: 2, container: 'mp4' });
  const { result } = await assemble(t, { spec: spec(preset, { hasAudio: true }), inputs: t.context.fetched8 as FetchedInputs });
  const probe = movie(t, result);
  t.like(probe, { videoCodec: 'hevc', width: 640, height: 360, frameCount: FRAMES, audioCodec: 'aac' });
  t.true(within10(probe.videoBitrateMbps, 2), String(probe.videoBitrateMbps));
});

const listTar = (path: string) => execFileSync('tar', ['-tf', path], { encoding: 'utf8' }).trim().split('\n');
const expectedEntries = (count: number) => Array.from({ length: count }, (_, i) => `frames/${frameFileName(FIRST + i, 'tif')}`);

withFfmpeg('custom image sequence at the comp size: the fetched frames themselves in a tar, one entry per frame', async (t) => {
  const inputs = t.context.fetched8 as FetchedInputs;
  const preset = custom({ width: COMP.width, height: COMP.height, codec: 'image_sequence', container: 'frames' });
  const { result, progress } = await assemble(t, { spec: spec(preset, { hasAudio: true, frameDepth: 16 }), inputs });
  t.true(result.ok);
  if (!result.ok) return;
  t.deepEqual(result.probe as PackSummary, { format: 'tar', entries: FRAMES, bytes: (result.probe as PackSummary).bytes });
  t.deepEqual(listTar(result.path), expectedEntries(FRAMES));
  const first = execFileSync('tar', ['-xOf', result.path, `frames/${frameFileName(FIRST, 'tif')}`]);
  t.true(first.equals(await readFile(join(inputs.framesDir, frameFileName(FIRST, 'tif')))));
  t.is(progress.at(-1), FRAMES);
});

withFfmpeg('custom image sequence at another size: 16-bit frames fitted into 640×360, then packed', async (t) => {
  const preset = custom({ width: 640, height: 360, codec: 'image_sequence', container: 'frames' });
  const { result } = await assemble(t, { spec: spec(preset, { frameDepth: 16 }), inputs: t.context.fetched8 as FetchedInputs });
  t.true(result.ok);
  if (!result.ok) return;
  t.deepEqual(listTar(result.path), expectedEntries(FRAMES));
  const extracted = join(t.context.dir, 'extracted.tif');
  await writeFile(extracted, execFileSync('tar', ['-xOf', result.path, `frames/${frameFileName(FIRST + 7, 'tif')}`], { maxBuffer: 64 * 1024 * 1024 }));
  const probe = execFileSync(FFPROBE, ['-v', 'error', '-show_entries', 'stream=width,height,pix_fmt', '-of', 'csv=p=0', extracted], { encoding: 'utf8' }).trim();
  t.is(probe, '640,360,rgba64le');
});

/** Writes `count` frames of `filter` as fetchInputs would have: <dir>/frames/frame_<n>.tif. */
async function localFrames(t: { context: Context }, name: string, input: string[], count: number, pixFmt: string): Promise<FetchedInputs> {
  const framesDir = join(t.context.dir, name, 'frames');
  await mkdir(framesDir, { recursive: true });
  ff([...input, '-frames:v', String(count), '-pix_fmt', pixFmt, '-start_number', String(FIRST), join(framesDir, 'frame_%06d.tif')]);
  return { framesDir, firstFrame: FIRST, frameCount: count, extension: 'tif', pattern: join(framesDir, 'frame_%06d.tif'), audioPath: null, bytes: 0 };
}

withFfmpeg('a flat picture still lands within 10 % of 8 and 12 Mbps at 1080p (H.264 filler), and of 8 Mbps in H.265', async (t) => {
  // Black and white bars: plain VBR spends a fraction of the target on this.
  const bars = 'color=c=black:s=1920x1080:r=25,drawbox=x=0:y=0:w=640:h=1080:color=white:t=fill,drawbox=x=1280:y=0:w=640:h=1080:color=white:t=fill';
  const inputs = await localFrames(t, 'bars', ['-f', 'lavfi', '-i', bars], 25, 'rgba');
  const comp = { name: 'Bars', width: 1920, height: 1080, fps: 25, pixelAspect: 1 };
  const flat = (preset: RenderPreset) => spec(preset, { comp, frameEnd: FIRST + 24 });
  const rates: string[] = [];
  for (const [preset, target] of [[PRESETS.web, 8], [PRESETS.social, 12], [custom({ width: 1920, height: 1080, codec: 'h265', bitrateMbps: 8, container: 'mp4' }), 8]] as const) {
    const probe = movie(t, (await assemble(t, { spec: flat(preset), inputs, workDir: join(t.context.dir, `bars-${preset.codec}-${target}`) })).result);
    rates.push(`${preset.codec} ${target} Mbps → ${probe.videoBitrateMbps?.toFixed(2)}`);
    t.true(within10(probe.videoBitrateMbps, target), rates.at(-1));
  }
  t.log(rates.join('; '));
});

withFfmpeg('16-bit frames reach ProRes at 10 bits: a smooth 16-bit ramp keeps far more than 256 levels', async (t) => {
  const [w, h] = [1280, 720];
  const row = Buffer.alloc(w * 8);
  for (let x = 0; x < w; x += 1) {
    const v = Math.round((x * 65535) / (w - 1));
    for (let c = 0; c < 4; c += 1) row.writeUInt16LE(c === 3 ? 65535 : v, x * 8 + c * 2);
  }
  const raw = join(t.context.dir, 'ramp.raw');
  await writeFile(raw, Buffer.concat(Array.from({ length: h }, () => row)));
  const inputs = await localFrames(t, 'ramp', ['-f', 'rawvideo', '-pix_fmt', 'rgba64le', '-s', `${w}x${h}`, '-framerate', '25', '-stream_loop', '1', '-i', raw], 2, 'rgba64le');
  const preset = custom({ width: w, height: h, codec: 'prores_422', container: 'mov' });
  const { result } = await assemble(t, { spec: spec(preset, { comp: { name: 'Ramp', width: w, height: h, fps: 25, pixelAspect: 1 }, frameEnd: FIRST + 1, frameDepth: 16 }), inputs });
  movie(t, result);
  if (!result.ok) return;
  // One row of luma, decoded at 16 bits: 10-bit video has ~877 levels on it, 8-bit at most 220.
  const luma = execFileSync(FFMPEG, ['-v', 'error', '-i', result.path, '-frames:v', '1', '-vf', `crop=${w}:1:0:${h / 2},format=gray16le`, '-f', 'rawvideo', '-'], { maxBuffer: 1 << 20 });
  const levels = new Set(Array.from({ length: luma.length / 2 }, (_, i) => luma.readUInt16LE(i * 2)));
  t.true(levels.size > 600, `${levels.size} levels`);
});

withFfmpeg('a deliverable that misses its promise fails with reason verification, naming every failed check', async (t) => {
  // The last frame vanished from disk after the fetch: ffmpeg encodes one frame short.
  const fetched = t.context.fetched8 as FetchedInputs;
  const framesDir = join(t.context.dir, 'short', 'frames');
  await mkdir(framesDir, { recursive: true });
  for (let i = 0; i < FRAMES - 1; i += 1) await copyFile(join(fetched.framesDir, frameFileName(FIRST + i, 'tif')), join(framesDir, frameFileName(FIRST + i, 'tif')));
  const inputs = { ...fetched, framesDir, pattern: join(framesDir, 'frame_%06d.tif'), audioPath: null };
  const preset = custom({ width: 640, height: 360, codec: 'prores_422', container: 'mov' });
  const { result } = await assemble(t, { spec: spec(preset), inputs });
  t.false(result.ok);
  if (result.ok) return;
  t.is(result.reason, 'verification');
  t.regex(result.message, /^deliverable\.mov is not what the Custom preset promises: frame count 47, expected 48; duration 1\.88 s, expected 1\.92 s\. It was not uploaded\.$/);
  t.regex(result.lastLines[0] ?? '', /^ffprobe: \{"videoCodec":"prores"/);

  const seq = custom({ width: COMP.width, height: COMP.height, codec: 'image_sequence', container: 'frames' });
  const packed = (await assemble(t, { spec: spec(seq, { frameDepth: 16 }), inputs: { ...inputs, frameCount: FRAMES } })).result;
  // Packing stops at the missing frame: nothing half-made is offered.
  t.false(packed.ok);
  if (!packed.ok) t.regex(packed.message, /^Assembling deliverable\.tar failed: frame 1048 is not in .*\/short\/frames \(frame_001048\.tif\); nothing was packed/);
});

withFfmpeg('this node\'s tools failing is reason ffmpeg; inputs that do not fit the spec are internal', async (t) => {
  const inputs = t.context.fetched8 as FetchedInputs;
  const noFfmpeg = (await assemble(t, { spec: spec(PRESETS.web), inputs, ffmpegPath: join(t.context.dir, 'no', 'ffmpeg') })).result;
  t.like(noFfmpeg, { ok: false, reason: 'ffmpeg' });
  const noEncoder = (await assemble(t, { spec: spec(PRESETS.web), inputs, encoders: ['prores_ks'] })).result;
  t.like(noEncoder, { ok: false, reason: 'ffmpeg' });
  if (!noEncoder.ok) t.regex(noEncoder.message, /has no libx264 encoder, needed for h264/);
  const preset = custom({ width: 320, height: 180, codec: 'prores_422', container: 'mov' });
  const noProbe = (await assemble(t, { spec: spec(preset), inputs, ffprobePath: join(t.context.dir, 'no', 'ffprobe') })).result;
  t.like(noProbe, { ok: false, reason: 'ffmpeg' });
  if (!noProbe.ok) t.regex(noProbe.message, /could not be checked: ffprobe \(.*\) did not run to the end/);

  const shifted = (await assemble(t, { spec: spec(PRESETS.web, { frameStart: FIRST + 1, frameEnd: FIRST + FRAMES }), inputs })).result;
  t.like(shifted, { ok: false, reason: 'internal' });
  if (!shifted.ok) t.regex(shifted.message, /^The fetched frames 1001–1048 are not the deliverable's range 1002–1049/);
  t.like((await assemble(t, { spec: spec(PRESETS.web, { hasAudio: true }), inputs: { ...inputs, audioPath: null } })).result, { ok: false, reason: 'internal' });
  t.like((await assemble(t, { spec: spec(PRESETS.web, { fileName: 'deliverable.mov' }), inputs })).result, { ok: false, reason: 'internal' });
});
