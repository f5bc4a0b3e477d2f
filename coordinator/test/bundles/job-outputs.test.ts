import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { MIN_RECORD_SIZE, newContentKey } from '@cloudexport/shared';
import { sealBuffer } from '@cloudexport/shared/node';
import { renderOutputs, sealFile, sendSigned, uploadBundle } from '../helpers/bundle-client.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

// Agents run one at a time here: a job's only chunk must land on the node the test expects.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;
let stranger: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  provider = await c.user('provider');
  artist = await c.user('artist');
  stranger = await c.user('artist');
});
test.after.always(async () => c?.stop());

/** Frames as a node seals them (see renderOutputs). */
function renderFrames(names: string[], sizes: number[]) {
  const { files, begin } = renderOutputs(names, sizes);
  return { frames: files, begin };
}

/** A bundled job of `frames` frames in one chunk, assigned to a fresh connected agent. */
async function assignedChunk(name: string, frames: number) {
  const bundle = await uploadBundle(c, artist.key, [{ path: 'project.aep', file: sealFile() }]);
  const agent = await TestAgent.enroll(c, provider.key, undefined, name);
  await agent.connect();
  await agent.hello();
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundle.id, comp: { ...sampleJob.comp, frameEnd: frames - 1 }, chunkSize: frames, priority: 100 } })).body;
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === job.id), 10_000, 'the assignment');
  return { agent, job, a };
}

const download = (key: string | null, path: string, headers: Record<string, string> = {}) =>
  fetch(`${c.url}${path}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });

test.serial('a node uploads its sealed frames, the chunk is done, and only the owner downloads them decrypted, whole or by range', async (t) => {
  const { agent, job, a } = await assignedChunk('renderer', 3);
  // the last frame spans several records and ends in a partial one; one name needs encoding for storage
  const { frames, begin } = renderFrames(['frame_0000.png', 'frame_0001.png', 'Frame_0002.PNG'], [1_000, 0, 3 * MIN_RECORD_SIZE + 12_345]);
  const answer = await agent.send('output:begin', begin(a.chunkId, a.epoch));
  t.true(answer.ok, JSON.stringify(answer));
  t.deepEqual(answer.uploads.map((u: { name: string }) => u.name), frames.map((f) => f.name));
  for (const [i, u] of (answer.uploads as { request: { method: string; url: string; headers: Record<string, string> } }[]).entries()) {
    t.is(u.request.method, 'PUT');
    t.is((await sendSigned(u.request, frames[i]!.sealed)).status, 200);
  }
  t.deepEqual(await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 3 }), { ok: true });
  await eventually(async () => (await c.call('GET', `/api/v1/jobs/${job.id}`, { key: artist.key })).body.state === 'ASSEMBLING', 10_000, 'every frame to be in');

  const list = await c.call('GET', `/api/v1/jobs/${job.id}/outputs`, { key: artist.key });
  t.is(list.status, 200);
  t.deepEqual(
    list.body.items.map((o: { name: string; size: number; chunkIndex: number; sha256: string }) => [o.name, o.size, o.chunkIndex, o.sha256]),
    frames.map((f) => [f.name, f.plain.length, 0, createHash('sha256').update(f.plain).digest('hex')]).sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
  );
  for (const f of frames) {
    const res = await download(artist.key, `/api/v1/jobs/${job.id}/outputs/${f.name}`);
    t.is(res.status, 200, f.name);
    t.is(res.headers.get('content-length'), String(f.plain.length));
    t.is(res.headers.get('accept-ranges'), 'bytes');
    t.deepEqual(Buffer.from(await res.arrayBuffer()), f.plain, `${f.name} comes back byte for byte`);
  }
  const big = frames[2]!;
  const path = `/api/v1/jobs/${job.id}/outputs/${big.name}`;
  const size = big.plain.length;
  for (const [range, start, end] of [
    ['bytes=70000-140000', 70_000, 140_000], // across a record boundary
    [`bytes=${MIN_RECORD_SIZE}-${2 * MIN_RECORD_SIZE - 1}`, MIN_RECORD_SIZE, 2 * MIN_RECORD_SIZE - 1], // exactly one record
    ['bytes=0-0', 0, 0],
    ['bytes=-100', size - 100, size - 1], // inside the partial last record
    [`bytes=${size - 20_000}-`, size - 20_000, size - 1],
  ] as const) {
    const res = await download(artist.key, path, { range });
    t.is(res.status, 206, range);
    t.is(res.headers.get('content-range'), `bytes ${start}-${end}/${size}`, range);
    t.deepEqual(Buffer.from(await res.arrayBuffer()), big.plain.subarray(start, end + 1), range);
  }
  const outside = await download(artist.key, path, { range: `bytes=${size}-` });
  t.is(outside.status, 416);
  t.is(outside.headers.get('content-range'), `bytes */${size}`);

  t.is((await c.call('GET', `/api/v1/jobs/${job.id}/outputs`, { key: c.admin.key })).status, 200);
  t.is((await download(c.admin.key, path)).status, 200);
  t.is((await c.call('GET', `/api/v1/jobs/${job.id}/outputs`, { key: stranger.key })).status, 404);
  const theirs = await download(stranger.key, path);
  t.is(theirs.status, 404);
  t.false(Buffer.from(await theirs.arrayBuffer()).includes(big.plain.subarray(0, 64)));
  t.is((await download(stranger.key, path, { range: 'bytes=0-10' })).status, 404);
  t.is((await download(provider.key, path)).status, 403);
  t.is((await download(null, path)).status, 401);
  t.is((await download(artist.key, `/api/v1/jobs/${job.id}/outputs/frame_9999.png`)).status, 404);
  const audit = (await c.call('GET', '/api/v1/audit?action=output.download', { key: c.admin.key })).body.items;
  t.true(audit.some((e: { actorId: string; details: { name: string } }) => e.actorId === artist.id && e.details.name === big.name));
  agent.close();

  // the master key stays in the data folder, owner-only: a restarted coordinator still opens what it kept
  const keyFile = join(c.coordinator.deps.config.dataDir, 'master-key');
  t.is((await stat(keyFile)).mode & 0o777, 0o600);
  const before = await readFile(keyFile, 'utf8');
  await c.restart();
  t.is(await readFile(keyFile, 'utf8'), before);
  t.deepEqual(Buffer.from(await (await download(artist.key, path, { range: 'bytes=70000-140000' })).arrayBuffer()), big.plain.subarray(70_000, 140_001));
});

test.serial('done with a frame not uploaded counts as a failure of the node (missing_frames), and lists nothing', async (t) => {
  const { agent, job, a } = await assignedChunk('forgetful', 2);
  const { frames, begin } = renderFrames(['frame_0000.png', 'frame_0001.png'], [5_000, 6_000]);
  const answer = await agent.send('output:begin', begin(a.chunkId, a.epoch));
  t.is((await sendSigned(answer.uploads[0].request, frames[0]!.sealed)).status, 200);
  // frame 1 never arrives
  t.deepEqual(await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 2 }), { ok: true });
  const [chunk] = (await c.call('GET', `/api/v1/jobs/${job.id}/chunks`, { key: artist.key })).body.items;
  t.is(chunk.state, 'QUEUED');
  t.is(chunk.attempt, 1);
  t.regex(chunk.error, /reported done without all of its frames uploaded: 1 are not in storage .*frame_0001\.png: nothing arrived/);
  const node = (await c.call('GET', `/api/v1/nodes/${agent.nodeId}`, { key: provider.key })).body;
  t.is(node.chunksFailed, 1);
  t.is(node.chunksDone, 0);
  const attempts = await c.db.orm.em.getConnection().execute<{ outcome: string; reason: string }[]>(`select outcome, reason from chunk_attempts where chunk_id = ?`, [a.chunkId]);
  t.deepEqual(attempts.map((r: { outcome: string; reason: string }) => [r.outcome, r.reason]), [['failed', 'missing_frames']]);
  t.deepEqual((await c.call('GET', `/api/v1/jobs/${job.id}/outputs`, { key: artist.key })).body.items, []);
  agent.close();
  await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
});

test.serial('done with fewer outputs announced than frames is refused as missing frames too', async (t) => {
  const { agent, job, a } = await assignedChunk('short', 2);
  const { frames, begin } = renderFrames(['frame_0000.png'], [5_000]);
  const answer = await agent.send('output:begin', begin(a.chunkId, a.epoch));
  await sendSigned(answer.uploads[0].request, frames[0]!.sealed);
  await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 2 });
  const [chunk] = (await c.call('GET', `/api/v1/jobs/${job.id}/chunks`, { key: artist.key })).body.items;
  t.is(chunk.state, 'QUEUED');
  t.regex(chunk.error, /1 were announced with output:begin, 2 are needed/);
  agent.close();
  await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
});

test.serial('output:begin is fenced and checked: other nodes, stale epochs, wrong sealed sizes and too many files are refused', async (t) => {
  const { agent, job, a } = await assignedChunk('fenced', 2);
  const { begin } = renderFrames(['frame_0000.png', 'frame_0001.png'], [5_000, 6_000]);
  const other = await TestAgent.enroll(c, provider.key, undefined, 'other');
  await other.connect();
  await other.hello();
  const foreign = await other.send('output:begin', begin(a.chunkId, a.epoch));
  t.like(foreign, { ok: false, code: 'not_yours' });
  t.is(foreign.uploads, undefined);
  t.like(await agent.send('output:begin', begin(a.chunkId, a.epoch + 1)), { ok: false, code: 'stale_epoch' });
  const lying = begin(a.chunkId, a.epoch);
  lying.files[0]!.sealedSize += 1;
  t.like(await agent.send('output:begin', lying), { ok: false, code: 'invalid' });
  const three = renderFrames(['a.png', 'b.png', 'c.png'], [10, 10, 10]).begin(a.chunkId, a.epoch);
  const tooMany = await agent.send('output:begin', three);
  t.like(tooMany, { ok: false, code: 'invalid' });
  t.regex(tooMany.message, /renders 2 frames; 3 outputs/);
  const rows = await c.db.orm.em.getConnection().execute<{ n: number }[]>(`select count(*)::int as n from job_outputs where chunk_id = ?`, [a.chunkId]);
  t.is(rows[0]!.n, 0, 'nothing was recorded by the refused calls');
  // asking again for the same names answers fresh links and records nothing twice
  t.true((await agent.send('output:begin', begin(a.chunkId, a.epoch))).ok);
  t.true((await agent.send('output:begin', begin(a.chunkId, a.epoch))).ok);
  const again = await c.db.orm.em.getConnection().execute<{ n: number }[]>(`select count(*)::int as n from job_outputs where chunk_id = ?`, [a.chunkId]);
  t.is(again[0]!.n, 2);
  agent.close();
  other.close();
  await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
});
