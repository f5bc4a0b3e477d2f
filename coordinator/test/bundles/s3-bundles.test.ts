import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import S3rver from 's3rver';
import { bundleTicketSchema, MIN_RECORD_SIZE, newContentKey, openSealedKey, UPLOAD_PART_BYTES } from '@cloudexport/shared';
import { openBuffer, sealBuffer } from '@cloudexport/shared/node';
import { sealFile, sendSigned, startBody, uploadBlob, uploadBundle } from '../helpers/bundle-client.js';
import { eventually, TestAgent } from '../helpers/test-agent.js';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';
import { fillS3rverGaps } from '../storage/s3rver-gaps.js';

// The same flows on the S3 driver, against s3rver: presigned URLs instead of the coordinator's
// own links. s3rver does not check signed lengths, so a wrong-size body is stored and the
// coordinator's own check has to catch it.

let c: TestCoordinator;
let s3: S3rver;
let s3dir: string;
let artist: Identity;
let provider: Identity;

test.before(async () => {
  s3dir = await mkdtemp(join(tmpdir(), 'ce-s3-bundles-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3dir, configureBuckets: [{ name: 'bundles' }] });
  fillS3rverGaps(s3);
  const { port } = await s3.run();
  c = await startTestCoordinator({
    config: { storage: { kind: 's3', bucket: 'bundles', endpoint: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
  });
  artist = await c.user('artist');
  provider = await c.user('provider');
});
test.after.always(async () => {
  await c?.stop();
  await s3?.close();
  await rm(s3dir, { recursive: true, force: true });
});

const storedSize = async (key: string) => (await c.coordinator.deps.storage.head(key))?.size ?? null;

test.serial('upload once, resume a multipart upload, and refuse (and delete) a body of the wrong size, on S3', async (t) => {
  t.is(c.coordinator.deps.storage.kind, 's3');
  const small = sealFile();
  const start = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(small) });
  t.regex(start.body.request.url, /X-Amz-Signature=/);
  await uploadBlob(c, artist.key, small);
  t.is(await storedSize(`blobs/${artist.id}/${small.sha256}`), small.sealed.length);
  t.deepEqual((await c.call('POST', '/api/v1/blobs/missing', { key: artist.key, body: { blobs: [{ sha256: small.sha256, size: small.size }] } })).body.missing, []);

  const big = sealFile(randomBytes(UPLOAD_PART_BYTES + 2_000_000), 1024 * 1024);
  const multi = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(big) });
  t.is(multi.body.kind, 'multipart');
  t.is((await sendSigned(multi.body.parts[0], big.sealed.subarray(0, UPLOAD_PART_BYTES))).status, 200);
  const resumed = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(big) });
  t.deepEqual(resumed.body.parts.map((p: { partNumber: number }) => p.partNumber), [2]);
  t.is((await sendSigned(resumed.body.parts[0], big.sealed.subarray(UPLOAD_PART_BYTES))).status, 200);
  t.is((await c.call('POST', `/api/v1/blobs/${big.sha256}/complete`, { key: artist.key })).status, 200);
  t.is(await storedSize(`blobs/${artist.id}/${big.sha256}`), big.sealed.length);

  const wrong = sealFile();
  const w = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(wrong) });
  t.is((await sendSigned(w.body.request, wrong.sealed.subarray(10))).status, 200, 's3rver takes it');
  const refused = await c.call('POST', `/api/v1/blobs/${wrong.sha256}/complete`, { key: artist.key });
  t.is(refused.status, 400);
  t.regex(refused.body.error.message, new RegExp(`${wrong.sealed.length - 10} bytes arrived, but it seals to exactly ${wrong.sealed.length}.*upload it again`));
  t.is(await storedSize(`blobs/${artist.id}/${wrong.sha256}`), null, 'what arrived was deleted');
});

test.serial('a node opens its bundle from S3 links and uploads its frames there; the owner downloads them decrypted', async (t) => {
  const project = sealFile(randomBytes(100_000));
  const bundle = await uploadBundle(c, artist.key, [{ path: 'project.aep', file: project }]);
  const agent = await TestAgent.enroll(c, provider.key, undefined, 's3-node');
  await agent.connect();
  await agent.hello();
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundle.id, comp: { ...sampleJob.comp, frameEnd: 0 }, chunkSize: 1 } })).body;
  const a = await eventually(() => agent.assignments.find((x) => x.jobId === job.id), 10_000, 'the assignment');
  const opened = await agent.send('bundle:open', { chunkId: a.chunkId, epoch: a.epoch });
  const ticket = bundleTicketSchema.parse(opened.ticket);
  const blob = ticket.blobs[0]!;
  const sealed = Buffer.from(await (await fetch(blob.request.url)).arrayBuffer());
  t.deepEqual(openBuffer(openSealedKey(Buffer.from(blob.sealedKey, 'base64'), agent.boxSecretKey!), sealed), project.plain);

  const key = newContentKey();
  const frame = randomBytes(2 * MIN_RECORD_SIZE + 500);
  const sealedFrame = sealBuffer(key, frame, { recordSize: MIN_RECORD_SIZE });
  const begin = await agent.send('output:begin', {
    chunkId: a.chunkId,
    epoch: a.epoch,
    key: Buffer.from(key).toString('base64'),
    files: [{ name: 'frame_0000.exr', size: frame.length, sha256: createHash('sha256').update(frame).digest('hex'), sealedSize: sealedFrame.length, recordSize: MIN_RECORD_SIZE }],
  });
  t.is((await sendSigned(begin.uploads[0].request, sealedFrame)).status, 200);
  t.deepEqual(await agent.send('chunk:done', { chunkId: a.chunkId, epoch: a.epoch, frames: 1 }), { ok: true });
  await eventually(async () => (await c.call('GET', `/api/v1/jobs/${job.id}`, { key: artist.key })).body.state === 'ASSEMBLING', 10_000, 'every frame to be in');
  const path = `${c.url}/api/v1/jobs/${job.id}/outputs/frame_0000.exr`;
  const whole = await fetch(path, { headers: { authorization: `Bearer ${artist.key}` } });
  t.deepEqual(Buffer.from(await whole.arrayBuffer()), frame);
  const part = await fetch(path, { headers: { authorization: `Bearer ${artist.key}`, range: `bytes=${MIN_RECORD_SIZE - 10}-${MIN_RECORD_SIZE + 10}` } });
  t.is(part.status, 206);
  t.deepEqual(Buffer.from(await part.arrayBuffer()), frame.subarray(MIN_RECORD_SIZE - 10, MIN_RECORD_SIZE + 11));
  agent.close();
});
