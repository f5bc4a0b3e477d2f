import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { io } from 'socket.io-client';
import { LIVE_NAMESPACE, type JobPreview } from '@cloudexport/shared';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';
import { startTestCoordinator, type Identity, type TestCoordinator } from '../../coordinator/test/helpers/test-coordinator.js';
import { buildSyntheticProject } from '../../shared/test/aep/build-rifx.js';
import { AgentProcesses, type AgentProcess } from './helpers/agent-processes.js';
import { findBeeps, frameNumberGaps, readFrameNumbers } from './helpers/test-pattern.js';
import { hasFfmpeg, serialWithFfmpeg } from '../../node-agent/test/helpers/ffmpeg-available.js';
import { runCli } from './helpers/cli-process.js';

// Deliverables end to end, with real parts only but aerender: `cloudexport submit` a project
// whose comp has sound, real agent processes render its frames and its audio with the aerender
// test double (a numbered bar pattern per frame, a beep every second), one of them assembles the
// preset's movie with real ffmpeg and checks it with ffprobe, and `cloudexport download` brings
// it back. Each movie is then checked here independently: codec, size, frame count, bitrate,
// audio, every frame's number in order across the chunk boundaries, and the sound in sync.

const serial = serialWithFfmpeg(test, 'deliverables end to end');

const COMP = 'Main – final ✓';
/** The synthetic project's main comp: 1920×1080 at 24000/1001 fps, with sound through a precomp. */
const FPS = 24000 / 1001;
/** Frames 0–29 in chunks of 8: boundaries after frames 7, 15 and 23. */
const FRAMES = 30;
const agentEnv = { AERENDER_DOUBLE_FPS: String(FPS), AERENDER_DOUBLE_SIZE: '192x108' };

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;
let work: string;
let fleet: AgentProcesses;
let project: string;
let renderer: AgentProcess;

test.before(async () => {
  if (!hasFfmpeg) return;
  c = await startTestCoordinator({ timing: { heartbeatIntervalMs: 500, leaseMs: 3_000, sweepIntervalMs: 250, disconnectGraceMs: 300 } });
  provider = await c.user('provider');
  artist = await c.user('artist');
  work = await mkdtemp(join(tmpdir(), 'ce-deliverable-'));
  fleet = await AgentProcesses.create(c, provider.key, work);
  const dir = join(work, 'spot');
  await mkdir(dir);
  project = join(dir, 'Spot.aep');
  await writeFile(project, buildSyntheticProject());
  await writeFile(join(dir, 'plate_0001.png'), Buffer.alloc(40_000, 1));
  await writeFile(join(dir, 'music.wav'), Buffer.alloc(60_000, 2));
  const node = await fleet.enroll('renderer');
  renderer = fleet.start(node.home, ['run'], agentEnv);
  await online(node.nodeId);
});

test.after.always(async () => {
  fleet?.stopAll('SIGKILL');
  await c?.stop();
});

const online = (nodeId: string) => eventually(async () => (await c.call('GET', `/api/v1/nodes/${nodeId}`, { key: provider.key })).body.state === 'online', 30_000, 'the node online');
const getJob = async (id: string) => (await c.call('GET', `/api/v1/jobs/${id}`, { key: artist.key })).body;
const chunksOf = async (id: string) => (await c.call('GET', `/api/v1/jobs/${id}/chunks`, { key: artist.key })).body.items as { kind: string; state: string; nodeId: string | null }[];

const cli = (args: string[]) => runCli(c.url, artist.key, join(work, 'cli-config'), args);

async function submit(preset: string[], chunkSize = 8): Promise<string> {
  const args = ['submit', project, '--comp', COMP, '--frames', `0-${FRAMES - 1}`, '--chunk-size', String(chunkSize), ...preset, '--yes', '--json', '--no-wait'];
  const submitted = await cli(args);
  if (submitted.code !== 0) throw new Error(`submit ${preset.join(' ')}: ${submitted.stderr}`);
  const result = JSON.parse(submitted.stdout);
  return result.job?.id ?? result.id ?? result.jobId;
}

async function completed(id: string, timeoutMs = 180_000) {
  const job = await eventually(async () => {
    const j = await getJob(id);
    return ['COMPLETED', 'PERMANENTLY_FAILED', 'CANCELLED'].includes(j.state) ? j : null;
  }, timeoutMs, `job ${id} to end`);
  return job as { state: string; error: string | null; name: string };
}

async function downloadDeliverable(id: string): Promise<string> {
  const out = join(work, `download-${id}`);
  const res = await cli(['download', id, '--out', out, '--json']);
  if (res.code !== 0) throw new Error(`download: ${res.stderr}`);
  const files = await readdir(out);
  if (files.length !== 1) throw new Error(`expected the deliverable alone, got ${files.join(', ')}`);
  return join(out, files[0]!);
}

interface Probe {
  streams: { codec_type: string; codec_name: string; profile?: string; width?: number; height?: number; pix_fmt?: string; r_frame_rate?: string; nb_read_frames?: string; bit_rate?: string; sample_rate?: string }[];
  format: { format_name: string; duration: string; size: string; bit_rate: string };
}

/** ffprobe, run here: an independent look at what the pipeline delivered. */
async function probe(path: string): Promise<Probe> {
  const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_streams', '-show_format', path], { maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as Probe;
}

// pixFmt as ffprobe reports it: ffmpeg's ProRes decoder gives 4444 as 12-bit whatever it was encoded from.
const presets = [
  { title: 'Web: 1080p H.264 8 Mbps MP4 with AAC', flags: ['--preset', 'web'], ext: 'mp4', codec: 'h264', width: 1920, height: 1080, mbps: 8, audio: 'aac', pixFmt: 'yuv420p' },
  { title: 'Social: 1080p H.264 12 Mbps MP4 with AAC', flags: ['--preset', 'social'], ext: 'mp4', codec: 'h264', width: 1920, height: 1080, mbps: 12, audio: 'aac', pixFmt: 'yuv420p' },
  { title: 'High Quality: 4K ProRes 422 MOV with PCM, 10-bit', flags: ['--preset', 'hq'], ext: 'mov', codec: 'prores', width: 3840, height: 2160, mbps: null, audio: 'pcm_s16le', pixFmt: 'yuv422p10le' },
  { title: 'Custom: 1280×720 H.265 5 Mbps MP4', flags: ['--preset', 'custom', '--width', '1280', '--height', '720', '--codec', 'h265', '--container', 'mp4', '--bitrate', '5'], ext: 'mp4', codec: 'hevc', width: 1280, height: 720, mbps: null, audio: 'aac', pixFmt: 'yuv420p' },
  { title: 'Custom: ProRes 4444 MOV at 1920×1080', flags: ['--preset', 'custom', '--width', '1920', '--height', '1080', '--codec', 'prores_4444', '--container', 'mov'], ext: 'mov', codec: 'prores', width: 1920, height: 1080, mbps: null, audio: 'pcm_s16le', pixFmt: 'yuva444p12le' },
] as const;

for (const p of presets) {
  serial(`${p.title}: completes, passes an independent ffprobe check, every frame in order across chunk boundaries, sound in sync`, async (t) => {
    const id = await submit([...p.flags]);
    const job = await completed(id);
    t.is(job.state, 'COMPLETED', job.error ?? '');
    const kinds = (await chunksOf(id)).map((x) => x.kind);
    t.deepEqual(kinds, ['frames', 'frames', 'frames', 'frames', 'audio', 'assemble']);
    const movie = await downloadDeliverable(id);
    t.true(movie.endsWith(`.${p.ext}`), movie);

    const info = await probe(movie);
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    const audio = info.streams.find((s) => s.codec_type === 'audio');
    t.is(video.codec_name, p.codec);
    t.is(video.width, p.width);
    t.is(video.height, p.height);
    t.is(video.pix_fmt, p.pixFmt);
    t.is(video.r_frame_rate, '24000/1001');
    t.is(Number(video.nb_read_frames), FRAMES);
    t.true(Math.abs(Number(info.format.duration) - FRAMES / FPS) < 0.5 / FPS, `duration ${info.format.duration}`);
    if (p.mbps !== null) {
      const mbps = Number(video.bit_rate) / 1e6;
      t.true(Math.abs(mbps - p.mbps) <= p.mbps * 0.1, `average video bitrate ${mbps.toFixed(2)} Mbps for ${p.mbps}`);
    }
    t.is(audio?.codec_name, p.audio);
    if (p.codec === 'prores') t.is(info.format.format_name.split(',')[0], 'mov');

    // frame-accurate: the number drawn in each frame, in order, none dropped or doubled at 7|8, 15|16, 23|24
    const numbers = await readFrameNumbers(movie);
    t.deepEqual(frameNumberGaps(numbers, 0), [], `frames read back: ${numbers.join(',')}`);
    t.is(numbers.length, FRAMES);
    // the sound: a beep at frames 0 and 24, at their picture times
    const beeps = await findBeeps(movie);
    t.is(beeps.length, 2, `beeps at ${beeps.join(', ')} s`);
    t.true(Math.abs(beeps[0]!) < 0.005, `first beep at ${beeps[0]} s`);
    t.true(Math.abs(beeps[1]! - 24 / FPS) < 0.005, `second beep at ${beeps[1]} s, frame 24 shows at ${(24 / FPS).toFixed(4)} s`);
  });
}

serial('Custom: an image sequence comes back as a tar of every frame, 16 bits deep', async (t) => {
  const id = await submit(['--preset', 'custom', '--width', '1920', '--height', '1080', '--codec', 'image_sequence', '--container', 'frames']);
  const job = await completed(id);
  t.is(job.state, 'COMPLETED', job.error ?? '');
  t.false((await chunksOf(id)).some((x) => x.kind === 'audio'), 'an image sequence carries no sound');
  const tar = await downloadDeliverable(id);
  t.true(tar.endsWith('.tar'));
  const listing = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).trim().split('\n');
  t.is(listing.length, FRAMES);
  const dir = join(work, `untar-${id}`);
  await mkdir(dir);
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  const first = join(dir, listing[0]!);
  const info = await probe(first);
  t.regex(info.streams[0]!.pix_fmt ?? '', /^rgba64/, 'frames deep enough for the target');
});

serial('a custom preset that cannot be made is refused at submit, before anything is uploaded or queued', async (t) => {
  const before = (await c.call('GET', '/api/v1/jobs', { key: artist.key })).body.items.length;
  const cliRefusal = await cli(['submit', project, '--comp', COMP, '--preset', 'custom', '--width', '1920', '--height', '1080', '--codec', 'prores_422', '--container', 'mp4', '--yes']);
  t.is(cliRefusal.code, 2);
  t.regex(cliRefusal.stderr, /container must be mov for prores_422, not mp4/);
  const api = await c.call('POST', '/api/v1/jobs', {
    key: artist.key,
    body: { comp: { name: 'Main', width: 1920, height: 1080, fps: 25, frameStart: 0, frameEnd: 9 }, preset: 'custom', custom: { width: 8192, height: 4320, codec: 'h264', container: 'mp4', bitrateMbps: 50 } },
  });
  t.is(api.status, 400);
  t.regex(JSON.stringify(api.body), /past H\.264's largest frame/);
  t.is((await c.call('GET', '/api/v1/jobs', { key: artist.key })).body.items.length, before, 'no job was created');
});

serial('an assembly node killed mid-encode: the assembly moves to another node and the movie is whole', async (t) => {
  const id = await submit(['--preset', 'hq']);
  // the renderer is the only node: it renders every frame, then starts encoding
  await eventually(async () => (await chunksOf(id)).find((x) => x.kind === 'assemble' && x.state === 'RENDERING'), 120_000, 'the encode to start');
  renderer.kill('SIGKILL');
  const spare = await fleet.enroll('spare');
  fleet.start(spare.home, ['run'], agentEnv);
  const job = await completed(id);
  t.is(job.state, 'COMPLETED', job.error ?? '');
  const attempts = await c.db.orm.em.getConnection().execute<{ outcome: string; node_id: string }[]>(
    `select a.outcome, a.node_id from chunk_attempts a join chunks c on c.id = a.chunk_id where c.job_id = ? and c.kind = 'assemble' order by a.started_at`,
    [id],
  );
  t.deepEqual(attempts.map((a) => a.outcome), ['lost', 'done']);
  t.is(attempts[1]!.node_id, spare.nodeId);
  const numbers = await readFrameNumbers(await downloadDeliverable(id));
  t.deepEqual(frameNumberGaps(numbers, 0), []);
  t.is(numbers.length, FRAMES);
});

serial('a deliverable that fails verification fails the job with the reason, and it does not complete', async (t) => {
  // a node whose ffmpeg drops the last frame: its ffprobe check must catch it
  const bin = join(work, 'broken-ffmpeg');
  await mkdir(bin, { recursive: true });
  const real = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
  const realProbe = execFileSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim();
  await writeFile(join(bin, 'ffmpeg'), `#!/bin/bash\nargs=()\nfor a in "$@"; do args+=("\${a/trim=end_frame=${FRAMES},/trim=end_frame=${FRAMES - 1},}"); done\nexec ${real} "\${args[@]}"\n`);
  await writeFile(join(bin, 'ffprobe'), `#!/bin/sh\nexec ${realProbe} "$@"\n`);
  await chmod(join(bin, 'ffmpeg'), 0o755);
  await chmod(join(bin, 'ffprobe'), 0o755);
  fleet.stopAll('SIGKILL');
  const broken = await fleet.enroll('broken');
  fleet.start(broken.home, ['run'], agentEnv, bin);
  await online(broken.nodeId);
  const id = await submit(['--preset', 'web']);
  const job = await completed(id);
  t.is(job.state, 'PERMANENTLY_FAILED');
  t.regex(job.error ?? '', /^Assembling the deliverable failed on its node: .*frame count 29, expected 30/);
  t.is((await chunksOf(id)).find((x) => x.kind === 'assemble')!.state, 'FAILED');
  const refused = await cli(['download', id, '--out', join(work, 'nothing')]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /has no deliverable yet \(it is PERMANENTLY_FAILED\)/);
});

serial('live previews: while a node renders, the owner sees its latest finished frame as a small JPEG; another artist does not', async (t) => {
  fleet.stopAll('SIGKILL');
  const slow = await fleet.enroll('slow');
  fleet.start(slow.home, ['run'], { ...agentEnv, AERENDER_DOUBLE_FRAME_DELAY_MS: '250' });
  await online(slow.nodeId);
  const watch = io(`${c.url}${LIVE_NAMESPACE}`, { auth: { key: artist.key }, transports: ['websocket'], reconnection: false, forceNew: true });
  t.teardown(() => watch.close());
  const previews: JobPreview[] = [];
  watch.on('job:preview', (p: JobPreview, ack: () => void) => {
    previews.push(p);
    ack();
  });
  await new Promise((resolve) => watch.once('connect', () => resolve(null)));
  // one chunk of 30 frames at 250 ms each: long enough for the node to see a frame finished
  const id = await submit(['--preset', 'web'], FRAMES);
  t.deepEqual(await watch.emitWithAck('subscribe', { jobId: id }), { ok: true });
  const first = await eventually(() => previews[0], 60_000, 'a preview');
  const jpeg = Buffer.from(first.jpeg, 'base64');
  t.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
  t.true(first.width <= 320 && first.width > 0, `${first.width}×${first.height}`);
  t.true(first.frame >= 0 && first.frame < FRAMES, `frame ${first.frame}`);
  const rest = await fetch(`${c.url}/api/v1/jobs/${id}/preview`, { headers: { authorization: `Bearer ${artist.key}` } });
  t.is(rest.status, 200);
  t.is(rest.headers.get('content-type'), 'image/jpeg');
  const stranger = await c.user('artist');
  t.is((await fetch(`${c.url}/api/v1/jobs/${id}/preview`, { headers: { authorization: `Bearer ${stranger.key}` } })).status, 404);
  t.is((await completed(id)).state, 'COMPLETED');
});
