import { createHash } from 'node:crypto';
import test from 'ava';
import { assemblyTicketSchema, openSealedKey, type AssemblyTicket } from '@cloudexport/shared';
import { openBuffer } from '@cloudexport/shared/node';
import { renderOutputs, sealFile, sendSigned, uploadBundle } from '../helpers/bundle-client.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

// The assembly is a chunk like any other: leased to one node (one with the encoder), fenced by
// its epoch, requeued when its node vanishes. It starts only when every frame and the sound are in.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;
let stranger: Identity;

test.before(async () => {
  c = await startTestCoordinator({ timing: { disconnectGraceMs: 200, leaseMs: 1_500, sweepIntervalMs: 200 } });
  provider = await c.user('provider');
  artist = await c.user('artist');
  stranger = await c.user('artist');
});
test.after.always(async () => c?.stop());

const job = (id: string) => c.call('GET', `/api/v1/jobs/${id}`, { key: artist.key }).then((r) => r.body);
const chunks = (id: string) => c.call('GET', `/api/v1/jobs/${id}/chunks`, { key: artist.key }).then((r) => r.body.items as { id: string; kind: string; state: string; index: number; frameStart: number; frameEnd: number }[]);
const download = (key: string, path: string, headers: Record<string, string> = {}) => fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } });

async function agent(name: string, encoders: string[] | null): Promise<TestAgent> {
  const a = await TestAgent.enroll(c, provider.key, undefined, name);
  a.ffmpegEncoders = encoders;
  await a.connect();
  await a.hello();
  return a;
}

/** Renders every frame and audio chunk the agent is handed until none is left; returns the plaintext by name. */
async function renderAll(renderer: TestAgent, jobId: string, count: number): Promise<Map<string, Buffer>> {
  const plain = new Map<string, Buffer>();
  for (let done = 0; done < count; done++) {
    const a = await eventually(() => renderer.assignments.find((x) => x.jobId === jobId && !plain.has(x.chunkId)), 10_000, `assignment ${done + 1}`);
    plain.set(a.chunkId, Buffer.alloc(0));
    const names = a.kind === 'audio' ? ['audio.aif'] : Array.from({ length: a.frameEnd - a.frameStart + 1 }, (_, i) => `frame_${String(a.frameStart + i).padStart(5, '0')}.tif`);
    const { files, begin } = renderOutputs(names, names.map((_, i) => 3_000 + i));
    const answer = await renderer.send('output:begin', begin(a.chunkId, a.epoch));
    for (const [i, u] of (answer.uploads as { request: { method: string; url: string; headers: Record<string, string> } }[]).entries()) await sendSigned(u.request, files[i]!.sealed);
    for (const f of files) plain.set(f.name, f.plain);
    await renderer.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: a.frameEnd - a.frameStart + 1 });
  }
  return plain;
}

async function submit(body: Record<string, unknown> = {}) {
  const bundle = await uploadBundle(c, artist.key, [{ path: 'project.aep', file: sealFile() }]);
  const comp = { ...sampleJob.comp, frameEnd: 3, hasAudio: true };
  const res = await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundle.id, comp, chunkSize: 2, priority: 100, ...body } });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body as { id: string };
}

test.serial('a job with audio gets an audio chunk and an assembly that waits; the assembly goes to a node with the encoder and opens every frame and the sound', async (t) => {
  const created = await submit();
  const tasks = await chunks(created.id);
  t.deepEqual(
    tasks.map((x) => [x.index, x.kind, x.state, x.frameStart, x.frameEnd]),
    [
      [0, 'frames', 'QUEUED', 0, 1],
      [1, 'frames', 'QUEUED', 2, 3],
      [2, 'audio', 'QUEUED', 0, 3],
      [3, 'assemble', 'WAITING', 0, 3],
    ],
  );
  t.is((await download(artist.key, `/api/v1/jobs/${created.id}/deliverable`)).status, 404, 'no deliverable before it is assembled');
  const renderer = await agent('renderer', null);
  const plain = await renderAll(renderer, created.id, 3);
  t.true(renderer.assignments.filter((a) => a.jobId === created.id).every((a) => a.kind !== 'assemble'));
  t.is((await eventually(async () => ((await job(created.id)).state === 'ASSEMBLING' ? job(created.id) : null), 10_000, 'ASSEMBLING')).framesDone, 4, 'the sound and the assembly add no frames');
  const assemble = (await chunks(created.id)).find((x) => x.kind === 'assemble')!;
  t.is(assemble.state, 'QUEUED');

  // the renderer has no ffmpeg: the assembly waits for a node that has libx264
  await new Promise((r) => setTimeout(r, 500));
  t.false(renderer.assignments.some((a) => a.kind === 'assemble'));
  const prores = await agent('prores-only', ['prores_ks']);
  await new Promise((r) => setTimeout(r, 500));
  t.false(prores.assignments.some((a) => a.kind === 'assemble'), 'a node without the codec’s encoder gets no assembly');
  const assembler = await agent('assembler', ['libx264', 'aac']);
  const a = await eventually(() => assembler.assignments.find((x) => x.jobId === created.id), 10_000, 'the assembly');
  t.is(a.kind, 'assemble');
  t.like(a.deliverable, { fileName: 'deliverable.mp4', hasAudio: true, frameDepth: 8, frameStart: 0, frameEnd: 3, preset: { id: 'web', codec: 'h264', bitrateMbps: 8, container: 'mp4' } });

  // only the holder of the assemble chunk, under its epoch, opens the inputs
  t.like(await renderer.send('assembly:open', { chunkId: a.chunkId, epoch: a.epoch }), { ok: false, code: 'not_yours' });
  t.like(await assembler.send('assembly:open', { chunkId: a.chunkId, epoch: a.epoch + 1 }), { ok: false });
  const answer = await assembler.send('assembly:open', { chunkId: a.chunkId, epoch: a.epoch });
  t.true(answer.ok, JSON.stringify(answer));
  const ticket: AssemblyTicket = assemblyTicketSchema.parse(answer.ticket);
  t.deepEqual(
    ticket.inputs.map((i) => [i.role, i.frame, i.name]),
    [
      ['frame', 0, 'frame_00000.tif'],
      ['frame', 1, 'frame_00001.tif'],
      ['frame', 2, 'frame_00002.tif'],
      ['frame', 3, 'frame_00003.tif'],
      ['audio', null, 'audio.aif'],
    ],
  );
  for (const input of ticket.inputs) {
    const key = openSealedKey(Buffer.from(input.sealedKey, 'base64'), assembler.boxSecretKey!);
    const sealed = Buffer.from(await (await fetch(input.request.url, { headers: input.request.headers })).arrayBuffer());
    const opened = openBuffer(key, sealed);
    t.deepEqual(opened, plain.get(input.name), `${input.name} opens with the assembler's key`);
    t.is(createHash('sha256').update(opened).digest('hex'), input.sha256);
  }

  // the deliverable is one sealed output; the job completes once it is stored
  const movie = renderOutputs(['deliverable.mp4'], [250_000]);
  const begun = await assembler.send('output:begin', movie.begin(a.chunkId, a.epoch));
  await sendSigned(begun.uploads[0].request, movie.files[0]!.sealed);
  t.deepEqual(await assembler.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 4 }), { ok: true });
  await eventually(async () => (await job(created.id)).state === 'COMPLETED', 10_000, 'COMPLETED');

  const whole = await download(artist.key, `/api/v1/jobs/${created.id}/deliverable`);
  t.is(whole.status, 200);
  t.is(whole.headers.get('content-type'), 'video/mp4');
  t.regex(whole.headers.get('content-disposition') ?? '', /attachment; filename="Main\.mp4"/);
  t.is(whole.headers.get('etag'), `"${createHash('sha256').update(movie.files[0]!.plain).digest('hex')}"`);
  t.deepEqual(Buffer.from(await whole.arrayBuffer()), movie.files[0]!.plain);
  const part = await download(artist.key, `/api/v1/jobs/${created.id}/deliverable`, { range: 'bytes=100000-199999' });
  t.is(part.status, 206);
  t.deepEqual(Buffer.from(await part.arrayBuffer()), movie.files[0]!.plain.subarray(100_000, 200_000));
  t.is((await download(stranger.key, `/api/v1/jobs/${created.id}/deliverable`)).status, 404, 'another artist cannot see it');
  t.is((await download(provider.key, `/api/v1/jobs/${created.id}/deliverable`)).status, 403);
  const outputs = (await c.call('GET', `/api/v1/jobs/${created.id}/outputs`, { key: artist.key })).body.items as { name: string; kind: string }[];
  t.deepEqual(outputs.filter((o) => o.kind !== 'frames').map((o) => [o.kind, o.name]), [['audio', 'audio.aif'], ['assemble', 'deliverable.mp4']]);
  for (const x of [renderer, prores, assembler]) x.close();
});

test.serial('an assembly node that vanishes mid-encode is fenced out and the assembly goes to another node', async (t) => {
  const renderer = await agent('renderer-2', null);
  const created = await submit({ comp: { ...sampleJob.comp, frameEnd: 3, hasAudio: false } });
  t.false((await chunks(created.id)).some((x) => x.kind === 'audio'), 'no sound, no audio chunk');
  await renderAll(renderer, created.id, 2);
  const first = await agent('assembler-a', ['libx264']);
  const a = await eventually(() => first.assignments.find((x) => x.jobId === created.id), 10_000, 'the assembly');
  t.false(a.deliverable!.hasAudio);
  t.true((await first.send('assembly:open', { chunkId: a.chunkId, epoch: a.epoch })).ok);
  first.close(); // killed mid-encode
  const second = await agent('assembler-b', ['libx264']);
  const b = await eventually(() => second.assignments.find((x) => x.jobId === created.id), 15_000, 'the assembly, again');
  t.is(b.chunkId, a.chunkId);
  t.true(b.epoch > a.epoch);
  // what the first node began is not the job's: its epoch is stale
  const movie = renderOutputs(['deliverable.mp4'], [10_000]);
  const begun = await second.send('output:begin', movie.begin(b.chunkId, b.epoch));
  await sendSigned(begun.uploads[0].request, movie.files[0]!.sealed);
  t.deepEqual(await second.send('chunk:done', { chunkId: b.chunkId, epoch: b.epoch, frames: 4 }), { ok: true });
  await eventually(async () => (await job(created.id)).state === 'COMPLETED', 10_000, 'COMPLETED');
  t.deepEqual(Buffer.from(await (await download(artist.key, `/api/v1/jobs/${created.id}/deliverable`)).arrayBuffer()), movie.files[0]!.plain);
  renderer.close();
  second.close();
});

test.serial('a deliverable that fails verification fails the job with the reason, at once', async (t) => {
  const renderer = await agent('renderer-3', null);
  const created = await submit({ comp: { ...sampleJob.comp, frameEnd: 3, hasAudio: false } });
  await renderAll(renderer, created.id, 2);
  const assembler = await agent('assembler-c', ['libx264']);
  const a = await eventually(() => assembler.assignments.find((x) => x.jobId === created.id), 10_000, 'the assembly');
  const why = 'The deliverable failed its checks: frame count 3, expected 4';
  t.deepEqual(await assembler.send('chunk:failed', { chunkId: a.chunkId, epoch: a.epoch, reason: 'verification', message: why }), { ok: true });
  const failed = await eventually(async () => ((await job(created.id)).state === 'PERMANENTLY_FAILED' ? job(created.id) : null), 10_000, 'PERMANENTLY_FAILED');
  t.is(failed.error, `Assembling the deliverable failed on its node: ${why}`);
  t.is((await chunks(created.id)).find((x) => x.kind === 'assemble')!.state, 'FAILED');
  t.is((await download(artist.key, `/api/v1/jobs/${created.id}/deliverable`)).status, 404);
  renderer.close();
  assembler.close();
});

test.serial('jobs without a bundle store no outputs and get no assembly', async (t) => {
  const res = await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 3, hasAudio: true }, chunkSize: 2 } });
  t.is(res.status, 201);
  t.deepEqual((await chunks(res.body.id)).map((x) => x.kind), ['frames', 'frames']);
  await c.call('POST', `/api/v1/jobs/${res.body.id}/cancel`, { key: artist.key });
});
