import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { startTestCoordinator, type Identity, type TestCoordinator } from '../../coordinator/test/helpers/test-coordinator.js';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';
import { buildSyntheticProject } from '../../shared/test/aep/build-rifx.js';
import { aerenderDouble, AgentProcesses, root } from './helpers/agent-processes.js';
import { runCli } from './helpers/cli-process.js';

// The artist's path end to end: `cloudexport submit` a project whose footage the project file
// points at by absolute Windows and macOS paths, a real agent process downloads and decrypts the
// bundle, relinks the project and renders it (aerender test double), and `cloudexport download`
// brings back every frame, decrypted and identical to what the node wrote.

const fixtures = join(root, '../shared/fixtures/aep');

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;
let work: string;
let fleet: AgentProcesses;

test.before(async () => {
  c = await startTestCoordinator({ timing: { heartbeatIntervalMs: 500, leaseMs: 3_000, sweepIntervalMs: 250, disconnectGraceMs: 300 } });
  provider = await c.user('provider');
  artist = await c.user('artist');
  work = await mkdtemp(join(tmpdir(), 'ce-cli-'));
  fleet = await AgentProcesses.create(c, provider.key, work);
  const node = await fleet.enroll('cli-node');
  fleet.start(node.home, ['run']);
  await eventually(async () => (await c.call('GET', `/api/v1/nodes/${node.nodeId}`, { key: provider.key })).body.state === 'online', 30_000, 'the node online');
});

test.after.always(async () => {
  fleet?.stopAll('SIGKILL');
  await c?.stop();
});

const cli = (args: string[]) => runCli(c.url, artist.key, join(work, 'cli-config'), args);

/** What the node renders for these frames: the test double run here on the same range. */
async function framesAsRendered(project: string, comp: string, start: number, end: number): Promise<Map<number, Buffer>> {
  const dir = await mkdtemp(join(work, 'expected-'));
  await new Promise((resolve, reject) => {
    const child = spawn(aerenderDouble, ['-project', project, '-comp', comp, '-s', String(start), '-e', String(end), '-output', join(dir, 'frame_[#####].tif')], { stdio: 'ignore' });
    child.on('exit', (code) => (code === 0 ? resolve(null) : reject(new Error(`double exited ${code}`))));
  });
  const out = new Map<number, Buffer>();
  for (const f of await readdir(dir)) out.set(Number(/(\d+)\.\w+$/.exec(f)![1]), await readFile(join(dir, f)));
  return out;
}

async function submitAndDownload(t: { is: (a: unknown, b: unknown, m?: string) => void; deepEqual: (a: unknown, b: unknown, m?: string) => void; true: (a: boolean, m?: string) => void; log: (...a: unknown[]) => void }, project: string, comp: string, frames: [number, number]) {
  const submitted = await cli(['submit', project, '--comp', comp, '--frames', `${frames[0]}-${frames[1]}`, '--chunk-size', '8', '--yes', '--json']);
  t.is(submitted.code, 0, `submit: ${submitted.stderr}`);
  const result = JSON.parse(submitted.stdout);
  const jobId: string = result.job?.id ?? result.id ?? result.jobId;
  const job = (await c.call('GET', `/api/v1/jobs/${jobId}`, { key: artist.key })).body;
  t.is(job.state, 'COMPLETED', `job ${jobId}: ${job.error ?? ''}`);

  const out = join(work, `download-${jobId}`);
  const downloaded = await cli(['download', jobId, '--frames', '--out', out, '--json']);
  t.is(downloaded.code, 0, `download: ${downloaded.stderr}`);
  // the comp has sound: it comes as its own file beside the frames
  const files = (await readdir(out)).filter((f) => f !== 'audio.aif').sort();
  const count = frames[1] - frames[0] + 1;
  t.is(files.length, count, 'every frame, once');
  const expected = await framesAsRendered(project, comp, frames[0], frames[1]);
  for (const f of files) {
    const frame = Number(/(\d+)\.\w+$/.exec(f)![1]);
    const bytes = await readFile(join(out, f));
    t.true(expected.get(frame)?.equals(bytes) ?? false, `frame ${frame} is byte-identical to what the node wrote`);
  }
  t.deepEqual(
    files.map((f) => Number(/(\d+)\.\w+$/.exec(f)![1])),
    Array.from({ length: count }, (_, i) => frames[0] + i),
  );
  return { jobId, stderr: submitted.stderr };
}

test.serial('submit a project with absolute-path footage, render it on a node, download every frame decrypted', async (t) => {
  const dir = join(work, 'spot');
  await mkdir(dir);
  const project = join(dir, 'Spot.aep');
  await writeFile(project, buildSyntheticProject());
  // the footage the project points at (C:\Projects\Spot\plate_0001.png, /Volumes/Media/Spot/music.wav) sits beside it
  await writeFile(join(dir, 'plate_0001.png'), randomBytes(40_000));
  await writeFile(join(dir, 'music.wav'), randomBytes(60_000));

  const inspected = await cli(['inspect', project, '--json']);
  t.is(inspected.code, 0, inspected.stderr);
  t.true(inspected.stdout.includes('Main – final ✓'), 'inspect lists the comp');

  const { jobId } = await submitAndDownload(t, project, 'Main – final ✓', [0, 23]);
  const chunks = (await c.call('GET', `/api/v1/jobs/${jobId}/chunks`, { key: artist.key })).body.items;
  t.deepEqual(chunks.map((x: { kind: string }) => x.kind), ['frames', 'frames', 'frames', 'audio', 'assemble'], 'three frame chunks, the comp’s sound, the movie');

  // a re-export with nothing changed uploads nothing
  const again = await cli(['submit', project, '--comp', 'Main – final ✓', '--frames', '0-7', '--yes', '--no-wait', '--json']);
  t.is(again.code, 0, again.stderr);
  const reexport = JSON.parse(again.stdout);
  t.is(reexport.upload.uploaded, 0, 'a re-export with nothing changed sends nothing');
  t.is(reexport.upload.blobs, 3, 'project, plate and music');

  // someone else cannot list or download those frames
  const stranger = await c.user('artist');
  t.is((await c.call('GET', `/api/v1/jobs/${jobId}/outputs`, { key: stranger.key })).status, 404);
});

(existsSync(fixtures) ? test.serial : test.skip)(
  existsSync(fixtures) ? 'a real AE project (bodymovin template, Windows footage path) renders and comes back' : 'a real AE project renders and comes back [skipped: ../shared/fixtures/aep/ is not beside the repo]',
  async (t) => {
    const dir = join(work, 'bodymovin');
    await mkdir(dir);
    const project = join(dir, 'bodymovin-sound-template.aep');
    await copyFile(join(fixtures, 'bodymovin-sound-template.aep'), project);
    const missing = await cli(['submit', project, '--comp', '__bodymovin_Audio', '--yes', '--json']);
    t.is(missing.code, 1, 'missing footage stops the submit');
    t.regex(missing.stderr + missing.stdout, /Audio1\.mp3/);
    await writeFile(join(dir, 'Audio1.mp3'), randomBytes(30_000));
    await submitAndDownload(t, project, '__bodymovin_Audio', [0, 15]);
  },
);
