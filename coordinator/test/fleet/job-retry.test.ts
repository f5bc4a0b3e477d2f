import test from 'ava';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import { sealFile, uploadBundle } from '../helpers/bundle-client.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';

// Running a failed or cancelled job again: exactly its unfinished chunks start afresh, the nodes
// blocked from it may take it again, and nodes then render it to the end.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator({ timing: { heartbeatIntervalMs: 500, leaseMs: 5_000, sweepIntervalMs: 200, disconnectGraceMs: 300 } });
  provider = await c.user('provider');
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

type ChunkView = { id: string; index: number; kind: string; state: string; attempt: number; nodeId: string | null; error: string | null };
const job = async (id: string) => (await c.call('GET', `/api/v1/jobs/${id}`, { key: artist.key })).body;
const chunks = async (id: string): Promise<ChunkView[]> => (await c.call('GET', `/api/v1/jobs/${id}/chunks`, { key: artist.key })).body.items;

// first, with no node connected: what a retry does to a job's chunks, assembly included
test.serial('a retried job’s assembly waits again while frames are left, and is queued once they are all in', async (t) => {
  const bundle = await uploadBundle(c, artist.key, [{ path: 'project.aep', file: sealFile() }]);
  const body = { ...sampleJob, bundle: bundle.id, comp: { ...sampleJob.comp, frameEnd: 19 }, chunkSize: 10 };

  const framesLeft = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body })).body;
  t.is((await c.call('POST', `/api/v1/jobs/${framesLeft.id}/cancel`, { key: artist.key })).status, 200);
  const retried = await c.call('POST', `/api/v1/jobs/${framesLeft.id}/retry`, { key: artist.key });
  t.is(retried.status, 200, JSON.stringify(retried.body));
  t.is(retried.body.state, 'QUEUED');
  t.is(retried.body.finishedAt, null);
  t.deepEqual((await chunks(framesLeft.id)).map((x) => `${x.kind}:${x.state}:${x.attempt}`), ['frames:QUEUED:1', 'frames:QUEUED:1', 'assemble:WAITING:1']);
  await c.call('POST', `/api/v1/jobs/${framesLeft.id}/cancel`, { key: artist.key });

  // every frame was in when it was cancelled: only the assembly runs again
  const framesIn = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body })).body;
  await c.call('POST', `/api/v1/jobs/${framesIn.id}/cancel`, { key: artist.key });
  await c.db.orm.em.getConnection().execute(`update chunks set state = 'DONE', frames_done = 10 where job_id = ? and kind = 'frames'`, [framesIn.id]);
  const assembling = await c.call('POST', `/api/v1/jobs/${framesIn.id}/retry`, { key: artist.key });
  t.is(assembling.body.state, 'ASSEMBLING');
  t.deepEqual((await chunks(framesIn.id)).map((x) => `${x.kind}:${x.state}`), ['frames:DONE', 'frames:DONE', 'assemble:QUEUED']);
  await c.call('POST', `/api/v1/jobs/${framesIn.id}/cancel`, { key: artist.key });
});

test.serial('a permanently failed job retried re-queues exactly its unfinished chunks, unblocks its nodes, and completes', async (t) => {
  const a = await TestAgent.enroll(c, provider.key, undefined, 'retry-a');
  await a.connect();
  await a.hello();
  const created = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 29 }, chunkSize: 10, priority: 100 } })).body;
  const nthOf = (agent: TestAgent, i: number) => eventually(() => agent.assignments.filter((x) => x.jobId === created.id)[i], 10_000, `${agent.nodeId} assignment ${i}`);

  // A renders one chunk, then fails the other two: blocklisted for this job
  const first = await nthOf(a, 0);
  t.deepEqual(await a.send('chunk:done', { chunkId: first.chunkId, epoch: first.epoch, frames: 10 }), { ok: true });
  for (const i of [1, 2]) {
    const x = await nthOf(a, i);
    await a.send('chunk:failed', { chunkId: x.chunkId, epoch: x.epoch, reason: 'exit_code', message: `crash ${i}`, lastLines: [] });
  }
  await eventually(async () => (await c.call('GET', `/api/v1/nodes/${a.nodeId}/blocks`, { key: provider.key })).body.items.length === 1, 5_000, 'A blocked');

  // B's output fails verification, which no other node would pass: the job fails for good
  const b = await TestAgent.enroll(c, provider.key, undefined, 'retry-b');
  await b.connect();
  await b.hello();
  const sunk = await nthOf(b, 0);
  await b.send('chunk:failed', { chunkId: sunk.chunkId, epoch: sunk.epoch, reason: 'verification', message: 'ffprobe: moov atom not found', lastLines: [] });
  const failed = await eventually(async () => {
    const j = await job(created.id);
    return j.state === 'PERMANENTLY_FAILED' && j;
  });
  t.truthy(failed.error);
  const before = await chunks(created.id);
  t.deepEqual(before.map((x) => x.state).sort(), ['CANCELLED', 'DONE', 'FAILED']);
  const unfinished = before.filter((x) => x.state !== 'DONE');

  t.is((await c.call('POST', `/api/v1/jobs/${created.id}/retry`, { key: (await c.user('artist')).key })).status, 404, 'not someone else’s');
  const countA = a.assignments.length;
  const countB = b.assignments.length;
  const retried = await c.call('POST', `/api/v1/jobs/${created.id}/retry`, { key: artist.key });
  t.is(retried.status, 200, JSON.stringify(retried.body));
  t.is(retried.body.error, null);
  t.is(retried.body.retries, 1);
  t.is(retried.body.finishedAt, null);
  t.false(['PERMANENTLY_FAILED', 'CANCELLED', 'COMPLETED'].includes(retried.body.state));
  t.deepEqual((await c.call('GET', `/api/v1/nodes/${a.nodeId}/blocks`, { key: provider.key })).body.items, [], 'A may take the job again');

  // exactly the two unfinished chunks go out again, one to each node, A included
  const again = await eventually(() => {
    const fresh = [...a.assignments.slice(countA), ...b.assignments.slice(countB)].filter((x) => x.jobId === created.id);
    return fresh.length === 2 && fresh;
  }, 10_000, 'the unfinished chunks handed out again');
  t.deepEqual(again.map((x) => x.chunkId).sort(), unfinished.map((x) => x.id).sort());
  const after = await chunks(created.id);
  const done = after.find((x) => x.state === 'DONE')!;
  t.is(done.id, first.chunkId, 'the done chunk was left alone');
  t.is(done.attempt, 0);
  for (const x of unfinished) t.is(after.find((y) => y.id === x.id)!.attempt, x.attempt + 1, 'a new attempt');
  for (const x of again) {
    const holder = a.assignments.includes(x) ? a : b;
    t.deepEqual(await holder.send('chunk:done', { chunkId: x.chunkId, epoch: x.epoch, frames: 10 }), { ok: true });
  }
  const completed = await eventually(async () => {
    const j = await job(created.id);
    return j.state === 'COMPLETED' && j;
  });
  t.is(completed.framesDone, 30);
  t.is(completed.error, null);
  const audit = (await c.call('GET', `/api/v1/audit?action=job.retry`, { key: c.admin.key })).body.items;
  t.true(audit.some((e: { targetId: string; details: { requeued: number } }) => e.targetId === created.id && e.details.requeued === 2));

  const refused = await c.call('POST', `/api/v1/jobs/${created.id}/retry`, { key: artist.key });
  t.is(refused.status, 409);
  t.regex(refused.body.error.message, /is COMPLETED: .*submit it again/);
  a.close();
  b.close();
});

test.serial('a running job cannot be retried', async (t) => {
  const running = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: sampleJob })).body;
  const res = await c.call('POST', `/api/v1/jobs/${running.id}/retry`, { key: c.admin.key });
  t.is(res.status, 409);
  t.is(res.body.error.code, 'illegal_transition');
  t.regex(res.body.error.message, /still running; only a failed or cancelled job can be retried/);
  t.is((await job(running.id)).state, 'QUEUED', 'left as it was');
  await c.call('POST', `/api/v1/jobs/${running.id}/cancel`, { key: artist.key });
});
