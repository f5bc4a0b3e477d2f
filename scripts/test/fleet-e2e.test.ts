import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../../coordinator/test/helpers/test-coordinator.js';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';
import { sealFile, uploadBundle } from '../../coordinator/test/helpers/bundle-client.js';
import { buildSyntheticProject } from '../../shared/test/aep/build-rifx.js';
import { aerenderDouble, agentBin, AgentProcesses, type AgentProcess } from './helpers/agent-processes.js';

// The real coordinator, real agent processes started through the CLI, and the aerender test
// double (which replays real aerender output and writes real frames). Jobs render an encrypted
// bundle the artist uploaded; the frames come back sealed and are listed and downloaded by the artist.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;
let work: string;
let fleet: AgentProcesses;
let bundleId: string;

test.before(async () => {
  c = await startTestCoordinator({ timing: { heartbeatIntervalMs: 500, leaseMs: 3_000, sweepIntervalMs: 250, disconnectGraceMs: 300 } });
  provider = await c.user('provider');
  artist = await c.user('artist');
  work = await mkdtemp(join(tmpdir(), 'ce-e2e-'));
  fleet = await AgentProcesses.create(c, provider.key, work);
  bundleId = (await uploadBundle(c, artist.key, [{ path: 'project/e2e.aep', file: sealFile(Buffer.from(buildSyntheticProject())) }])).id;
});

test.after.always(async () => {
  fleet?.stopAll('SIGKILL');
  await c?.stop();
});

const agentProcess = (home: string, args: string[], extraEnv: Record<string, string> = {}) => fleet.start(home, args, extraEnv);
const enrollAgent = (name: string) => fleet.enroll(name);

const job = async (id: string) => (await c.call('GET', `/api/v1/jobs/${id}`, { key: artist.key })).body;
const chunks = async (id: string) => (await c.call('GET', `/api/v1/jobs/${id}/chunks`, { key: artist.key })).body.items as { id: string; kind: string; state: string; nodeId: string; frameStart: number; frameEnd: number; attempt: number; warnings: string[] }[];

/** The frames a job's chunks delivered, by number, from the artist's list of outputs (the sound and the movie left out). */
async function outputs(jobId: string): Promise<{ name: string; chunkIndex: number; sha256: string; frame: number }[]> {
  const items = (await c.call('GET', `/api/v1/jobs/${jobId}/outputs`, { key: artist.key })).body.items as { name: string; kind: string; chunkIndex: number; sha256: string }[];
  return items.filter((o) => o.kind === 'frames').map((o) => ({ ...o, frame: Number(/(\d+)\.\w+$/.exec(o.name)?.[1]) }));
}

/** A job's frame chunks (its sound and assembly chunks left out). */
const frameChunks = async (id: string) => (await chunks(id)).filter((ch) => ch.kind === 'frames');

test.serial('a job spread over several agents completes with every frame exactly once', async (t) => {
  const agents = await Promise.all(['e2e-a', 'e2e-b', 'e2e-c'].map(enrollAgent));
  for (const a of agents) agentProcess(a.home, ['run'], { AERENDER_DOUBLE_FRAME_DELAY_MS: '40', AERENDER_DOUBLE_MISSING_FONT: '1' });
  await eventually(async () => {
    const nodes = (await c.call('GET', '/api/v1/nodes', { key: provider.key })).body.items as { state: string; tierId: string }[];
    return nodes.filter((n) => n.state === 'online' && n.tierId === 'high-end').length === 3;
  }, 30_000, 'three agents online with their GPU tier');

  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundleId, comp: { ...sampleJob.comp, frameEnd: 119 }, chunkSize: 20 } })).body;
  const done = await eventually(async () => {
    const j = await job(created.id);
    if (j.state === 'PERMANENTLY_FAILED') throw new Error(j.error);
    return j.state === 'COMPLETED' && j;
  }, 60_000, 'the job to complete');
  t.is(done.framesDone, 120);

  const list = await frameChunks(created.id);
  t.is(list.length, 6);
  t.deepEqual((await chunks(created.id)).slice(6).map((ch) => [ch.kind, ch.state]), [['assemble', 'DONE']], 'and the movie');
  t.true(new Set(list.map((ch) => ch.nodeId)).size >= 2, 'chunks ran on more than one node');
  const delivered = await outputs(created.id);
  for (const ch of list as (typeof list[number] & { index: number })[]) {
    const own = delivered.filter((o) => o.chunkIndex === ch.index).map((o) => o.frame);
    t.deepEqual(own.sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => ch.frameStart + i), `chunk ${ch.frameStart}-${ch.frameEnd}`);
  }
  t.deepEqual(delivered.map((o) => o.frame).sort((x, y) => x - y), Array.from({ length: 120 }, (_, i) => i), 'every frame exactly once');
  // the artist gets a frame back decrypted, as the node hashed it
  const sample = delivered.find((o) => o.frame === 77)!;
  const res = await fetch(`${c.url}/api/v1/jobs/${created.id}/outputs/${sample.name}`, { headers: { authorization: `Bearer ${artist.key}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  t.is(res.status, 200);
  t.is(createHash('sha256').update(bytes).digest('hex'), sample.sha256);
  t.deepEqual([...bytes.subarray(0, 4)], [0x49, 0x49, 0x2a, 0x00], 'a real TIFF frame');
  t.true(list.some((ch) => ch.warnings.some((w) => /Roboto/.test(w))), 'aerender’s missing-font warning reaches the artist');
  fleet.stopAll();
});

test.serial('kill -9 of an agent mid-chunk: another node renders the chunk and the job completes', async (t) => {
  const agents = await Promise.all(['kill-a', 'kill-b'].map(enrollAgent));
  const procs = agents.map((a) => agentProcess(a.home, ['run'], { AERENDER_DOUBLE_FRAME_DELAY_MS: '150' }));
  await eventually(async () => {
    const nodes = (await c.call('GET', '/api/v1/nodes?state=online', { key: provider.key })).body.items as { id: string }[];
    return agents.every((a) => nodes.some((n) => n.id === a.nodeId));
  }, 30_000, 'both agents online');
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundleId, comp: { ...sampleJob.comp, frameEnd: 29 }, chunkSize: 30 } })).body;
  const first = await eventually(async () => {
    const [ch] = await frameChunks(created.id);
    return ch && ch.state === 'RENDERING' && ch;
  }, 30_000, 'rendering');
  const victim = procs[agents.findIndex((a) => a.nodeId === first.nodeId)]!;
  victim.kill('SIGKILL');
  const killedAt = Date.now();
  const done = await eventually(async () => ((await job(created.id)).state === 'COMPLETED' ? job(created.id) : null), 60_000, 'completion on the other node');
  const [ch] = await frameChunks(created.id);
  t.not(ch!.nodeId, first.nodeId);
  t.is(ch!.attempt, 1);
  t.is(done.framesDone, 30);
  t.log(`requeued and finished ${Math.round((Date.now() - killedAt) / 100) / 10} s after the kill`);
  fleet.stopAll();
});

test.serial('aerender errors fail the job with the error shown, even when aerender exits 0', async (t) => {
  const agents = await Promise.all(['err-a', 'err-b', 'err-c'].map(enrollAgent));
  for (const a of agents) agentProcess(a.home, ['run'], { AERENDER_DOUBLE_AE_ERROR: 'Unable to render: the effect "Trapcode Particular" is missing' });
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundleId, comp: { ...sampleJob.comp, frameEnd: 9 }, chunkSize: 10 } })).body;
  const failed = await eventually(async () => ((await job(created.id)).state === 'PERMANENTLY_FAILED' ? job(created.id) : null), 60_000, 'the job to fail');
  t.regex(failed.error, /Trapcode Particular/);
  t.regex(failed.error, /3 different nodes/);
  fleet.stopAll();
});

test.serial('an agent renders on through a coordinator restart and reports when it is back', async (t) => {
  const agent = await enrollAgent('outage');
  agentProcess(agent.home, ['run'], { AERENDER_DOUBLE_FRAME_DELAY_MS: '100' });
  await eventually(async () => (await c.call('GET', `/api/v1/nodes/${agent.nodeId}`, { key: provider.key })).body.state === 'online', 30_000, 'online');
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundleId, comp: { ...sampleJob.comp, frameEnd: 39 }, chunkSize: 40 } })).body;
  await eventually(async () => {
    const [ch] = await frameChunks(created.id);
    return ch && ch.state === 'RENDERING';
  }, 30_000, 'rendering');
  await c.restart(1_500);
  const done = await eventually(async () => ((await job(created.id)).state === 'COMPLETED' ? job(created.id) : null), 60_000, 'completion after the restart');
  const [ch] = await frameChunks(created.id);
  t.is(ch!.nodeId, agent.nodeId, 'the same node finished it');
  t.is(ch!.attempt, 0, 'nothing was requeued');
  t.is(done.framesDone, 40);
  t.is((await outputs(created.id)).length, 40);
  fleet.stopAll();
});

test.serial('the CLI explains what is wrong: bad arguments, used tokens, not enrolled', async (t) => {
  const home = join(work, 'cli');
  const run = async (args: string[]) => {
    const child = agentProcess(home, args);
    const code = await new Promise((r) => child.on('exit', r));
    return { code, out: (child as AgentProcess).output() };
  };
  const badUrl = await run(['enroll', '--coordinator', 'not a url', '--token', 'x']);
  t.not(badUrl.code, 0);
  t.regex(badUrl.out, /expected an http\(s\) URL/);
  const noToken = await run(['enroll', '--coordinator', c.url]);
  t.not(noToken.code, 0);
  t.regex(noToken.out, /--token/);
  const notEnrolled = await run(['run']);
  t.is(notEnrolled.code, 1);
  t.regex(notEnrolled.out, /not enrolled yet.*cloudexport-agent enroll/s);
  const unknown = await run(['enroll', '--coordinator', c.url, '--token', 'cet_not_a_real_token_000']);
  t.is(unknown.code, 1);
  t.regex(unknown.out, /Enrollment refused \(401\): Unknown enrollment token/);

  const token = (await c.call('POST', '/api/v1/enrollment-tokens', { key: provider.key, body: {} })).body.token;
  t.is((await run(['enroll', '--coordinator', c.url, '--token', token, '--name', 'cli-box'])).code, 0);
  const reused = await run(['--home', join(work, 'cli-2'), 'enroll', '--coordinator', c.url, '--token', token]);
  t.is(reused.code, 1);
  t.regex(reused.out, /already used/);
  const status = await run(['status', '--json']);
  t.is(status.code, 0);
  const parsed = JSON.parse(status.out);
  t.is(parsed.coordinatorHealth, 'reachable');
  t.is(parsed.daemon, null, 'no daemon running');
  const again = await run(['enroll', '--coordinator', c.url, '--token', token]);
  t.regex(again.out, /already enrolled/);
});

test.serial('doctor: plain verdicts, non-zero when not ready, the AE check passes with a working aerender', async (t) => {
  const doctor = async (aerender: string) => {
    const child = spawn(process.execPath, [agentBin, '--home', join(work, 'doctor'), 'doctor', '--json'], { env: { ...process.env, AERENDER_PATH: aerender }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const code = await new Promise((r) => child.on('exit', r));
    return { code, report: JSON.parse(out) as { ok: boolean; checks: { id: string; status: string; detail: string; fix?: string }[] } };
  };
  const broken = await doctor('/nowhere/aerender');
  t.is(broken.code, 1);
  const ae = broken.report.checks.find((ch) => ch.id === 'after-effects')!;
  t.is(ae.status, 'fail');
  t.truthy(ae.fix);
  const gpu = broken.report.checks.find((ch) => ch.id === 'gpu')!;
  if (gpu.status === 'fail') {
    t.regex(gpu.detail, /No GPU found/);
    t.log('this machine has no GPU: the GPU check says so');
  }
  const working = await doctor(aerenderDouble);
  t.is(working.report.checks.find((ch) => ch.id === 'after-effects')!.status, 'pass');
  t.is(working.report.checks.find((ch) => ch.id === 'aerender-version')!.status, 'pass');
});
