import { createHash, randomBytes } from 'node:crypto';
import test from 'ava';
import { bundleTicketSchema, openSealedKey, type BundleTicket } from '@cloudexport/shared';
import { openBuffer } from '@cloudexport/shared/node';
import { sealFile, uploadBundle, type SealedFile } from '../helpers/bundle-client.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

// Agents run one at a time here: a job's only chunk must land on the node the test expects.

let c: TestCoordinator;
let provider: Identity;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  provider = await c.user('provider');
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

const oneChunk = (bundle: string) => ({ ...sampleJob, bundle, comp: { ...sampleJob.comp, frameEnd: 9 }, chunkSize: 10, priority: 100 });

/** Opens every file of the ticket with `secretKey`, fetched from its signed link, and checks it against what was uploaded. */
async function openAll(t: { deepEqual: (a: unknown, b: unknown, m?: string) => void; is: (a: unknown, b: unknown, m?: string) => void }, ticket: BundleTicket, secretKey: Uint8Array, files: SealedFile[]) {
  for (const blob of ticket.blobs) {
    const original = files.find((f) => f.sha256 === blob.sha256)!;
    const key = openSealedKey(Buffer.from(blob.sealedKey, 'base64'), secretKey);
    const res = await fetch(blob.request.url, { method: blob.request.method, headers: blob.request.headers });
    t.is(res.status, 200, `fetch ${blob.sha256}`);
    const sealed = Buffer.from(await res.arrayBuffer());
    t.is(sealed.length, blob.sealedSize);
    const plain = openBuffer(key, sealed);
    t.is(createHash('sha256').update(plain).digest('hex'), blob.sha256, 'the plaintext hashes to the manifest’s sha256');
    t.deepEqual(plain, original.plain);
  }
}

test.serial('the node holding a chunk opens its bundle: manifest, links, keys sealed to it alone; others and stale epochs get nothing', async (t) => {
  const project = sealFile(randomBytes(150_000));
  const footage = sealFile(randomBytes(300_000));
  const bundle = await uploadBundle(c, artist.key, [
    { path: 'project.aep', file: project },
    { path: 'footage/intro.mov', file: footage },
  ]);
  const holder = await TestAgent.enroll(c, provider.key, undefined, 'holder');
  await holder.connect();
  await holder.hello();
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: oneChunk(bundle.id) })).body;
  const a = await eventually(() => holder.assignments.find((x) => x.jobId === job.id), 10_000, 'the assignment');
  t.is(a.bundle, bundle.id);

  const answer = await holder.send('bundle:open', { chunkId: a.chunkId, epoch: a.epoch });
  t.true(answer.ok, JSON.stringify(answer));
  const ticket = bundleTicketSchema.parse(answer.ticket);
  t.is(ticket.bundleId, bundle.id);
  t.is(ticket.manifestId, bundle.manifestId);
  t.deepEqual(ticket.manifest.files.map((f) => f.path).sort(), ['footage/intro.mov', 'project.aep']);
  t.is(ticket.blobs.length, 2);
  t.false(JSON.stringify(answer).includes(Buffer.from(project.key).toString('base64')), 'no content key travels in clear');
  await openAll(t, ticket, holder.boxSecretKey!, [project, footage]);

  const stranger = await TestAgent.enroll(c, provider.key, undefined, 'stranger');
  await stranger.connect();
  await stranger.hello();
  const notYours = await stranger.send('bundle:open', { chunkId: a.chunkId, epoch: a.epoch });
  t.deepEqual(Object.keys(notYours).sort(), ['code', 'message', 'ok']);
  t.like(notYours, { ok: false, code: 'not_yours' });
  // a sealed key of the holder's ticket is useless to another node
  t.throws(() => openSealedKey(Buffer.from(ticket.blobs[0]!.sealedKey, 'base64'), stranger.boxSecretKey!), { message: /sealed for another node/ });
  t.like(await holder.send('bundle:open', { chunkId: a.chunkId, epoch: a.epoch + 1 }), { ok: false, code: 'stale_epoch' });

  // the holder gives the chunk up; it goes to the stranger under a new epoch
  t.deepEqual(await holder.send('chunk:failed', { chunkId: a.chunkId, epoch: a.epoch, reason: 'bundle', message: 'test gives up', lastLines: [] }), { ok: true });
  const b = await eventually(() => stranger.assignments.find((x) => x.chunkId === a.chunkId), 10_000, 'the reassignment');
  t.is(b.epoch, a.epoch + 1);
  const late = await holder.send('bundle:open', { chunkId: a.chunkId, epoch: a.epoch });
  t.like(late, { ok: false, code: 'stale_epoch' });
  t.is(late.ticket, undefined);
  const second = await stranger.send('bundle:open', { chunkId: b.chunkId, epoch: b.epoch });
  t.true(second.ok);
  await openAll(t, bundleTicketSchema.parse(second.ticket), stranger.boxSecretKey!, [project, footage]);

  const audit = (await c.call('GET', '/api/v1/audit?action=bundle.open', { key: c.admin.key })).body.items;
  t.deepEqual(audit.map((e: { actorId: string }) => e.actorId).sort(), [holder.nodeId, stranger.nodeId].sort(), 'each key use is audited, refusals are not key uses');
  holder.close();
  stranger.close();
  await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
});

test.serial('a chunk of a job without a bundle has nothing to open', async (t) => {
  const agent = await TestAgent.enroll(c, provider.key, undefined, 'no-bundle');
  await agent.connect();
  await agent.hello();
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 9 }, chunkSize: 10, priority: 100 } })).body;
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === job.id), 10_000, 'the assignment');
  const answer = await agent.send('bundle:open', { chunkId: a.chunkId, epoch: a.epoch });
  t.like(answer, { ok: false, code: 'invalid' });
  t.regex(answer.message, /renders no bundle/);
  agent.close();
  await c.call('POST', `/api/v1/jobs/${job.id}/cancel`, { key: artist.key });
});
