import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { MAX_BLOB_BYTES, UPLOAD_PART_BYTES } from '@cloudexport/shared';
import { sealFile, sendSigned, startBody, uploadBlob } from '../helpers/bundle-client.js';
import { manualClock, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

let c: TestCoordinator;
let artist: Identity;
let other: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  artist = await c.user('artist');
  other = await c.user('artist');
});
test.after.always(async () => c?.stop());

const missing = async (key: string, files: { sha256: string; size: number }[]) =>
  (await c.call('POST', '/api/v1/blobs/missing', { key, body: { blobs: files.map((f) => ({ sha256: f.sha256, size: f.size })) } })).body.missing as string[];

/** Where the local driver keeps a stored object. */
const objectPath = (ownerId: string, sha256: string) => join(c.coordinator.deps.config.dataDir, 'storage', 'objects', 'blobs', ownerId, sha256);

test('a file is uploaded once: missing, then sent and completed, then never missing again (for its owner only)', async (t) => {
  const a = sealFile();
  const b = sealFile();
  t.deepEqual((await missing(artist.key, [a, b])).sort(), [a.sha256, b.sha256].sort());

  const start = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(a) });
  t.is(start.status, 200, JSON.stringify(start.body));
  t.is(start.body.kind, 'single');
  t.is(start.body.request.method, 'PUT');
  t.true(Date.parse(start.body.request.expiresAt) - Date.now() <= 3600_000 + 5_000, 'links live an hour');
  // started is not stored
  t.deepEqual((await missing(artist.key, [a])), [a.sha256]);
  t.is((await sendSigned(start.body.request, a.sealed)).status, 200);
  const done = await c.call('POST', `/api/v1/blobs/${a.sha256}/complete`, { key: artist.key });
  t.is(done.status, 200, JSON.stringify(done.body));
  t.like(done.body, { sha256: a.sha256, size: a.size, sealedSize: a.sealed.length, stored: true });
  t.is((await stat(objectPath(artist.id, a.sha256))).size, a.sealed.length, 'storage holds the sealed bytes');

  t.deepEqual(await missing(artist.key, [a, b]), [b.sha256]);
  // a sha recorded with another size is not the same file
  t.deepEqual(await missing(artist.key, [{ sha256: a.sha256, size: a.size + 1 }]), [a.sha256]);
  // someone else's copy never counts: they upload their own
  t.deepEqual(await missing(other.key, [a]), [a.sha256]);
  // starting it again is a no-op
  t.deepEqual((await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(a) })).body, { kind: 'stored' });
  t.is((await c.call('POST', '/api/v1/blobs', { key: other.key, body: startBody(a) })).body.kind, 'single');
});

test('a file recorded with another size is sent again and replaces the old copy', async (t) => {
  const first = sealFile(randomBytes(10_000));
  await uploadBlob(c, artist.key, first);
  // the same name with other contents (a client that hashed wrongly, say): the new copy wins, checked by size
  const second = { ...sealFile(randomBytes(20_000)), sha256: first.sha256 };
  t.deepEqual(await missing(artist.key, [second]), [first.sha256]);
  const start = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(second) });
  t.is(start.body.kind, 'single');
  // completing before sending finds the old copy, of the old size: refused, not taken for the new one
  const early = await c.call('POST', `/api/v1/blobs/${first.sha256}/complete`, { key: artist.key });
  t.is(early.status, 400);
  await uploadBlob(c, artist.key, second);
  t.is((await stat(objectPath(artist.id, first.sha256))).size, second.sealed.length);
  t.deepEqual(await missing(artist.key, [second]), []);
  t.deepEqual(await missing(artist.key, [first]), [first.sha256]);
});

test('a dropped multipart upload resumes: only the parts not stored come back', async (t) => {
  const f = sealFile(randomBytes(UPLOAD_PART_BYTES * 2 + 1_000_000), 1024 * 1024);
  const start = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(f) });
  t.is(start.body.kind, 'multipart', JSON.stringify(start.body));
  t.is(start.body.partSize, UPLOAD_PART_BYTES);
  t.deepEqual(start.body.parts.map((p: { partNumber: number }) => p.partNumber), [1, 2, 3]);
  const bytesOf = (n: number) => f.sealed.subarray((n - 1) * UPLOAD_PART_BYTES, n * UPLOAD_PART_BYTES);
  const [p1, p2, p3] = start.body.parts;
  t.is((await sendSigned(p1, bytesOf(1))).status, 200);
  t.is((await sendSigned(p3, bytesOf(3))).status, 200);
  // part 2's connection drops half-way: nothing of it is kept
  await dropMidBody(p2.url, bytesOf(2));
  // completing now names it
  const early = await c.call('POST', `/api/v1/blobs/${f.sha256}/complete`, { key: artist.key });
  t.is(early.status, 409);
  t.deepEqual(early.body.error.details.missing, [2]);
  t.regex(early.body.error.message, /part\(s\) 2 .*POST \/api\/v1\/blobs again/);

  const resumed = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(f) });
  t.is(resumed.body.kind, 'multipart');
  t.deepEqual(resumed.body.parts.map((p: { partNumber: number; size: number }) => [p.partNumber, p.size]), [[2, UPLOAD_PART_BYTES]]);
  t.is((await sendSigned(resumed.body.parts[0], bytesOf(2))).status, 200);
  const done = await c.call('POST', `/api/v1/blobs/${f.sha256}/complete`, { key: artist.key });
  t.is(done.status, 200, JSON.stringify(done.body));
  t.is((await stat(objectPath(artist.id, f.sha256))).size, f.sealed.length);
  t.deepEqual(await missing(artist.key, [f]), []);
});

test('a resumed upload under a new key starts over: parts sealed under the old key are useless', async (t) => {
  const plain = randomBytes(UPLOAD_PART_BYTES + 1_000_000);
  const first = sealFile(plain, 1024 * 1024);
  const start = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(first) });
  await sendSigned(start.body.parts[0], first.sealed.subarray(0, UPLOAD_PART_BYTES));
  const again = sealFile(plain, 1024 * 1024);
  const restarted = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(again) });
  t.deepEqual(restarted.body.parts.map((p: { partNumber: number }) => p.partNumber), [1, 2]);
});

test('a declared sealed size that does not match the plaintext size is refused, and nothing is recorded', async (t) => {
  const f = sealFile();
  const res = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: { ...startBody(f), sealedSize: f.sealed.length - 1 } });
  t.is(res.status, 400);
  t.is(res.body.error.code, 'validation_failed');
  t.is(res.body.error.details.issues[0].path, 'sealedSize');
  t.regex(res.body.error.message, new RegExp(`exactly ${f.sealed.length}`));
  t.is((await c.call('POST', `/api/v1/blobs/${f.sha256}/complete`, { key: artist.key })).status, 404, 'no upload was started');
  const tooBig = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: { ...startBody(f), size: MAX_BLOB_BYTES + 1 } });
  t.is(tooBig.status, 400);
  t.is(tooBig.body.error.details.issues[0].path, 'size');
  const badRecords = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: { ...startBody(f), recordSize: 100 } });
  t.is(badRecords.status, 400);
});

test('a body of the wrong size is refused by the link, nothing is stored, and completing says to send it', async (t) => {
  const f = sealFile();
  const start = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(f) });
  const short = await sendSigned(start.body.request, f.sealed.subarray(1));
  t.is(short.status, 400);
  const long = await sendSigned(start.body.request, Buffer.concat([f.sealed, Buffer.from('x')]));
  t.is(long.status, 413);
  await t.throwsAsync(stat(objectPath(artist.id, f.sha256)), { code: 'ENOENT' });
  const done = await c.call('POST', `/api/v1/blobs/${f.sha256}/complete`, { key: artist.key });
  t.is(done.status, 409);
  t.regex(done.body.error.message, /nothing has arrived/);
  t.deepEqual(await missing(artist.key, [f]), [f.sha256]);
  // the right bytes still go through afterwards
  await uploadBlob(c, artist.key, f);
  t.deepEqual(await missing(artist.key, [f]), []);
});

test('an altered signed link is refused; so is one link used for another file', async (t) => {
  const f = sealFile();
  const start = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(f) });
  const url = new URL(start.body.request.url);
  const resigned = new URL(url);
  resigned.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600_000));
  t.is((await sendSigned({ ...start.body.request, url: resigned.toString() }, f.sealed)).status, 403, 'a longer life');
  const elsewhere = new URL(url);
  elsewhere.pathname = elsewhere.pathname.replace(artist.id, other.id);
  t.is((await sendSigned({ ...start.body.request, url: elsewhere.toString() }, f.sealed)).status, 403, 'another owner’s key');
  const forged = new URL(url);
  forged.searchParams.set('sig', '0'.repeat(64));
  t.is((await sendSigned({ ...start.body.request, url: forged.toString() }, f.sealed)).status, 403, 'another signature');
  await t.throwsAsync(stat(objectPath(other.id, f.sha256)), { code: 'ENOENT' });
  await t.throwsAsync(stat(objectPath(artist.id, f.sha256)), { code: 'ENOENT' });
});

test('an expired signed link is refused', async (t) => {
  const clock = manualClock(new Date());
  const timed = await startTestCoordinator({ clock });
  try {
    const me = await timed.user('artist');
    const f = sealFile();
    const start = await timed.call('POST', '/api/v1/blobs', { key: me.key, body: startBody(f) });
    clock.advance(3600_000 + 1_000);
    const res = await sendSigned(start.body.request, f.sealed);
    t.is(res.status, 403);
    t.regex(((await res.json()) as { error: { message: string } }).error.message, /expired/i);
    // a fresh start hands out a fresh link
    await uploadBlob(timed, me.key, f);
  } finally {
    await timed.stop();
  }
});

/** Starts a PUT of `bytes`, sends half, and cuts the connection. */
async function dropMidBody(url: string, bytes: Buffer): Promise<void> {
  const req = request(url, { method: 'PUT', headers: { 'content-length': String(bytes.length) } });
  req.on('error', () => undefined);
  await new Promise<void>((resolve) => req.write(bytes.subarray(0, bytes.length >> 1), () => resolve()));
  await new Promise((r) => setTimeout(r, 100));
  req.destroy();
  await new Promise((r) => setTimeout(r, 200));
}
