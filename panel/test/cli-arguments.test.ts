// The CLI as a child process: argument and setup errors exit non-zero with a message that says
// what to do, never a stack trace.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, fixtureTest, fixtureTitle, HAVE_FIXTURES, SOUND_COMP, SOUND_TEMPLATE } from './helpers/fixtures.js';
import { runBin, type BinResult } from './helpers/run-bin.js';

let configDir: string;
test.before(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'ce-cli-config-'));
});
test.after.always(() => rm(configDir, { recursive: true, force: true }));

// no saved login, no key in the environment
const run = (args: string[], env: Record<string, string> = {}) => runBin(args, { env: { CLOUDEXPORT_CONFIG_DIR: configDir, ...env } });
// a project path for argument tests: the fixture when present (the errors come before it is read either way)
const project = HAVE_FIXTURES ? fixturePath(SOUND_TEMPLATE) : 'project.aep';
const withKey = { CLOUDEXPORT_COORDINATOR: 'http://127.0.0.1:9', CLOUDEXPORT_API_KEY: 'k' };

function noStack(t: { false(v: boolean, m?: string): void }, r: BinResult) {
  t.false(/\n\s+at .+:\d+:\d+/.test(r.stderr), `no stack trace: ${r.stderr}`);
}

test('missing --comp: exit 2, names the option', async (t) => {
  const r = await run(['estimate', project], withKey);
  t.is(r.code, 2);
  t.regex(r.stderr, /required option '--comp <name>' not specified/);
  t.is(r.stdout, '');
});

test('bad --frames: exit 2, shows the expected form', async (t) => {
  for (const frames of ['10-x', '20-10', '-5']) {
    const r = await run(['estimate', project, '--comp', 'Main', '--frames', frames], withKey);
    t.is(r.code, 2, frames);
    t.regex(r.stderr, /--frames/, frames);
  }
  const r = await run(['estimate', project, '--comp', 'Main', '--frames', '20-10'], withKey);
  t.regex(r.stderr, /ends \(10\) before it starts \(20\)/);
});

test('unknown preset: exit 2, lists the presets', async (t) => {
  const r = await run(['submit', project, '--comp', 'Main', '--preset', 'ultra'], withKey);
  t.is(r.code, 2);
  t.regex(r.stderr, /Allowed choices are web, social, hq, custom/);
});

test('custom preset flags are checked before anything is read or sent', async (t) => {
  const wrongPreset = await run(['estimate', project, '--comp', 'Main', '--width', '1280'], withKey);
  t.is(wrongPreset.code, 2);
  t.regex(wrongPreset.stderr, /--width applies only with --preset custom/);
  const incomplete = await run(['estimate', project, '--comp', 'Main', '--preset', 'custom', '--width', '1280'], withKey);
  t.is(incomplete.code, 2);
  t.regex(incomplete.stderr, /--preset custom: height must be/);
});

test('missing API key or coordinator: exit 2, with the three ways to give one', async (t) => {
  const noKey = await run(['estimate', project, '--comp', 'Main', '--coordinator', 'http://127.0.0.1:9']);
  t.is(noKey.code, 2);
  t.regex(noKey.stderr, /No API key\. Pass --api-key KEY, set CLOUDEXPORT_API_KEY, or save one with: cloudexport login/);
  noStack(t, noKey);
  const noCoordinator = await run(['status', '0b6f0c1e-3f59-4c1e-9b0a-1f2e3d4c5b6a']);
  t.is(noCoordinator.code, 2);
  t.regex(noCoordinator.stderr, /No coordinator given/);
  const badUrl = await run(['status', '0b6f0c1e-3f59-4c1e-9b0a-1f2e3d4c5b6a', '--coordinator', 'render.example.com']);
  t.is(badUrl.code, 2);
  t.regex(badUrl.stderr, /expected an http\(s\) URL/);
});

test('not a job id: exit 2', async (t) => {
  const r = await run(['status', 'job-42'], withKey);
  t.is(r.code, 2);
  t.regex(r.stderr, /expected a job id/);
});

test('submit without a terminal and without --yes: exit 2, tells to pass --yes', async (t) => {
  const r = await run(['submit', project, '--comp', 'Main'], withKey);
  t.is(r.code, 2);
  t.regex(r.stderr, /Pass --yes/);
});

test('a project that does not exist: exit 1, says so', async (t) => {
  const r = await run(['inspect', join(configDir, 'nope.aep')]);
  t.is(r.code, 1);
  t.regex(r.stderr, /No project at .*nope\.aep/);
  noStack(t, r);
});

fixtureTest(fixtureTitle('unreachable coordinator: exit 1, names it, no stack trace'), async (t) => {
  const r = await run(['estimate', project, '--comp', SOUND_COMP], withKey);
  t.is(r.code, 1);
  t.regex(r.stderr, /Cannot reach the coordinator at http:\/\/127\.0\.0\.1:9/);
  noStack(t, r);
});

fixtureTest(fixtureTitle('an unknown comp or frames past its end: exit 2, naming the comps and the range'), async (t) => {
  const unknown = await run(['estimate', project, '--comp', '__bodymovin_audio'], withKey);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /No comp named "__bodymovin_audio".*Did you mean "__bodymovin_Audio"\?/s);
  const past = await run(['estimate', project, '--comp', SOUND_COMP, '--frames', '90-100'], withKey);
  t.is(past.code, 2);
  t.regex(past.stderr, /goes past the end of "__bodymovin_Audio", whose frames are 0-93/);
});

fixtureTest(fixtureTitle('inspect --json: only JSON on stdout, with comps, missing footage and no fonts'), async (t) => {
  const r = await run(['inspect', project, '--json']);
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.like(out.compositions[0], { name: SOUND_COMP, width: 960, height: 540, fps: 60, frames: 94 });
  t.is(out.footage.missing[0].name, 'Audio1.mp3');
  t.deepEqual(out.fonts, []);
  t.is(out.expressionEngine, 'extendscript');
  t.is(out.bitsPerChannel, 8);
  const human = await run(['inspect', project]);
  t.regex(human.stdout, /MISSING {2}Audio1\.mp3 {2}C:\\Users\\tropi\\.*Audio1\.mp3 {2}— used in "__bodymovin_Audio"/);
  t.regex(human.stdout, /Fonts: none/);
});
