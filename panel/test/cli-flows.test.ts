import { existsSync } from 'node:fs';
// Whole commands as the artist runs them (the bin, a child process) against the fake
// coordinator: login, estimate, submit to the end, status, cancel, download.
import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIO_ORIGINAL, fixtureInTempDir, fixtureTest, fixtureTitle, SOUND_COMP, SOUND_TEMPLATE } from './helpers/fixtures.js';
import { FakeCoordinator, type FakeOptions } from './helpers/fake-coordinator.js';
import { runBin } from './helpers/run-bin.js';

async function setup(t: ExecutionContext, options: FakeOptions = {}) {
  const fake = await FakeCoordinator.start(options);
  const configDir = await mkdtemp(join(tmpdir(), 'ce-cli-flow-'));
  t.teardown(async () => {
    await fake.close();
    await rm(configDir, { recursive: true, force: true });
  });
  const env = { CLOUDEXPORT_CONFIG_DIR: configDir, CLOUDEXPORT_COORDINATOR: fake.url, CLOUDEXPORT_API_KEY: fake.apiKey };
  return { fake, configDir, env, run: (args: string[], extra: Record<string, string> = {}) => runBin(args, { env: { ...env, ...extra } }) };
}

test('login checks the key, saves it readable only by the user, and later commands use it', async (t) => {
  const { fake, configDir } = await setup(t);
  const bare = { CLOUDEXPORT_CONFIG_DIR: configDir };
  const refused = await runBin(['login', '--coordinator', fake.url, '--api-key', 'wrong'], { env: bare });
  t.is(refused.code, 1);
  t.regex(refused.stderr, /refused this API key.*Nothing was saved/s);
  await t.throwsAsync(stat(join(configDir, 'cli.json')));

  const ok = await runBin(['login', '--coordinator', fake.url, '--api-key', fake.apiKey, '--json'], { env: bare });
  t.is(ok.code, 0, ok.stderr);
  t.is(JSON.parse(ok.stdout).user.email, 'artist@example.com');
  const file = join(configDir, 'cli.json');
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.deepEqual(JSON.parse(await readFile(file, 'utf8')), { coordinator: fake.url, apiKey: fake.apiKey });

  // the saved login is used without flags or environment
  const job = await createJob(fake);
  const status = await runBin(['status', job, '--json'], { env: bare });
  t.is(status.code, 0, status.stderr);
  t.is(JSON.parse(status.stdout).job.id, job);
  // but the saved key never goes to another coordinator
  const elsewhere = await runBin(['status', job, '--coordinator', 'http://127.0.0.1:9'], { env: bare });
  t.is(elsewhere.code, 2);
  t.regex(elsewhere.stderr, /the saved key is for http:\/\/127\.0\.0\.1:\d+, not http:\/\/127\.0\.0\.1:9/);
});

fixtureTest(fixtureTitle('submit with missing footage: exit 1, lists name, original path and comp; nothing is uploaded'), async (t) => {
  const { fake, run } = await setup(t);
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const r = await run(['submit', project, '--comp', SOUND_COMP, '--yes']);
  t.is(r.code, 1);
  t.true(r.stderr.includes(`Audio1.mp3 — ${AUDIO_ORIGINAL} — used in "${SOUND_COMP}"`), r.stderr);
  t.regex(r.stderr, /--skip-missing/);
  t.deepEqual(fake.requests.filter((q) => q.startsWith('POST /api/v1/blobs') || q.startsWith('PUT')), []);
});

fixtureTest(fixtureTitle('estimate prints the per-tier cost and ETA; --json only JSON'), async (t) => {
  const { run } = await setup(t);
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const human = await run(['estimate', project, '--comp', SOUND_COMP, '--frames', '0-59']);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /frames 0-59 \(60 at 60 fps, 960×540\), preset Web/);
  t.regex(human.stdout, /RTX 4090 \(rtx-4090\)\s+\$0\.50\s+2\s+\$0\.42\s+1 min 5 s/);
  const json = await run(['estimate', project, '--comp', SOUND_COMP, '--json']);
  t.is(JSON.parse(json.stdout).estimate.tiers[0].etaSeconds, 65);
  t.is(JSON.parse(json.stdout).comp.frameEnd, 93, 'the whole comp by default');
});

fixtureTest(fixtureTitle('submit --yes: uploads the project and the audio, creates the job, follows it to COMPLETED'), async (t) => {
  const { fake, run } = await setup(t);
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'Audio1.mp3'), Buffer.alloc(50_000, 7));
  const r = await run(['submit', project, '--comp', SOUND_COMP, '--yes', '--json', '--priority', '70', '--chunk-size', '10']);
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.is(out.job.state, 'COMPLETED');
  t.is(out.job.framesDone, 94);
  t.like(out.job.comp, { name: SOUND_COMP, width: 960, height: 540, fps: 60, frameStart: 0, frameEnd: 93 });
  t.like(out.job, { priority: 70, chunkSize: 10, bundle: out.bundle.id });
  t.deepEqual(out.job.requirements, { fonts: [], effects: [] }, 'the template has no text layer and only AE effects');
  t.regex(r.stderr, /Fonts the render nodes need: none/);
  t.is(out.bundle.files, 2);
  t.is(fake.storedBlobs().length, 2);
  t.regex(r.stderr, /Estimate for "__bodymovin_Audio"/, 'human text goes to stderr under --json');
  t.regex(r.stderr, /warning: Font "Helvetica Neue" is missing; substituted/, 'aerender warnings are printed');

  // again: the blobs are on the coordinator, nothing is sent
  const before = fake.bytesReceived;
  const again = await run(['submit', project, '--comp', SOUND_COMP, '--yes', '--no-wait', '--json']);
  t.is(again.code, 0, again.stderr);
  t.is(fake.bytesReceived, before);
  t.is(JSON.parse(again.stdout).job.state, 'QUEUED', '--no-wait returns once the job exists');
});

fixtureTest(fixtureTitle('submit of a job that fails for good exits 1 with the job’s error'), async (t) => {
  const { run } = await setup(t, { finalState: 'PERMANENTLY_FAILED' });
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await copyFile(project, join(dir, 'Audio1.mp3')); // any bytes will do
  const r = await run(['submit', project, '--comp', SOUND_COMP, '--yes', '--json']);
  t.is(r.code, 1);
  t.is(JSON.parse(r.stdout).job.state, 'PERMANENTLY_FAILED');
  t.regex(r.stderr, /ended PERMANENTLY_FAILED: aerender ERROR/);
});

test('cancel and status', async (t) => {
  const { fake, run } = await setup(t);
  const job = await createJob(fake);
  const cancel = await run(['cancel', job]);
  t.is(cancel.code, 0, cancel.stderr);
  t.regex(cancel.stdout, /is CANCELLED/);
  const status = await run(['status', job]);
  t.regex(status.stdout, /CANCELLED/);
  t.regex(status.stdout, /warning, chunk 0: Font "Helvetica Neue" is missing/);
  const unknown = await run(['status', '0b6f0c1e-3f59-4c1e-9b0a-1f2e3d4c5b6a']);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /No job 0b6f0c1e/);
});

test('download --frames writes each file, checks its sha256, skips what is already there, and resumes a partial file', async (t) => {
  const { fake, run } = await setup(t);
  const job = await createJob(fake);
  const frame = Buffer.alloc(200_000, 3);
  fake.addOutput(job, 'frame_0000.png', frame);
  fake.addOutput(job, 'audio.aif', Buffer.from('the sound'), 'audio');
  fake.addOutput(job, 'deliverable.mp4', Buffer.from('the movie'), 'assemble');
  const out = await mkdtemp(join(tmpdir(), 'ce-download-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));

  const first = await run(['download', job, '--frames', '--out', out, '--json']);
  t.is(first.code, 0, first.stderr);
  t.deepEqual(JSON.parse(first.stdout).files.map((f: { name: string; status: string }) => [f.name, f.status]), [['frame_0000.png', 'downloaded'], ['audio.aif', 'downloaded']], 'the frames and the sound, not the movie');
  t.deepEqual(await readFile(join(out, 'frame_0000.png')), frame);

  const second = await run(['download', job, '--frames', '--out', out, '--json']);
  t.deepEqual(JSON.parse(second.stdout).files.map((f: { status: string }) => f.status), ['present', 'present']);

  // a damaged file is fetched again; a partial one continues with a Range request
  await writeFile(join(out, 'audio.aif'), 'the sonud');
  await rm(join(out, 'frame_0000.png'));
  await writeFile(join(out, 'frame_0000.png.part'), frame.subarray(0, 50_000));
  const third = await run(['download', job, '--frames', '--out', out, '--json']);
  t.is(third.code, 0, third.stderr);
  t.deepEqual(JSON.parse(third.stdout).files.map((f: { status: string }) => f.status), ['downloaded', 'downloaded']);
  t.deepEqual(await readFile(join(out, 'frame_0000.png')), frame);
  t.is(await readFile(join(out, 'audio.aif'), 'utf8'), 'the sound');
  t.is(fake.rangeRequests, 1, 'the partial frame was resumed, not fetched whole');

  const none = await run(['download', await createJob(fake), '--frames', '--out', out]);
  t.is(none.code, 1);
  t.regex(none.stderr, /has no rendered frames yet/);
});

test('download fetches the deliverable by default, named after the job, and says when there is none yet', async (t) => {
  const { fake, run } = await setup(t);
  const job = await createJob(fake);
  fake.addOutput(job, 'frame_0000.png', Buffer.alloc(1_000, 1));
  const out = await mkdtemp(join(tmpdir(), 'ce-download-'));
  t.teardown(() => rm(out, { recursive: true, force: true }));
  const early = await run(['download', job, '--out', out]);
  t.is(early.code, 1);
  t.regex(early.stderr, /has no deliverable yet/);

  fake.addOutput(job, 'deliverable.mp4', Buffer.from('the movie'), 'assemble');
  const got = await run(['download', job, '--out', out, '--json']);
  t.is(got.code, 0, got.stderr);
  const [file] = JSON.parse(got.stdout).files;
  t.is(file.path, join(out, 'Main.mp4'));
  t.is(await readFile(join(out, 'Main.mp4'), 'utf8'), 'the movie');
  t.false(existsSync(join(out, 'frame_0000.png')), 'frames only with --frames');
});

async function createJob(fake: FakeCoordinator): Promise<string> {
  const res = await fetch(`${fake.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ comp: { name: 'Main', width: 1920, height: 1080, fps: 30, frameStart: 0, frameEnd: 9 }, preset: 'web' }),
  });
  return ((await res.json()) as { id: string }).id;
}
