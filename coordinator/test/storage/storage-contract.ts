import test from 'ava';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIN_PART_SIZE_BYTES, StorageError, StorageErrorCode } from '../../src/storage/object-storage.js';
import { dropMidUpload, send, TEST_MAX_UPLOAD_BYTES, type StorageHarness } from './storage-harness.js';

/**
 * The behaviour every driver owes the coordinator, run by each driver's test file against its
 * real server. Where the test server is laxer than the real one (s3rver does not verify SigV4),
 * the harness says so and the test asks an independent verifier what S3 would answer.
 */
export function storageContract<H extends StorageHarness>(name: string, start: () => Promise<H>): { harness: () => H } {
  let h: H;
  test.before(async () => {
    h = await start();
  });
  test.after.always(async () => {
    await h?.close();
  });

  test(`${name}: an upload by signed URL downloads as the same bytes`, async (t) => {
    const key = uniqueKey('bundle');
    const data = randomBytes(256 * 1024 + 7);
    const up = await h.storage.createUploadUrl(key, { size: data.length });
    t.is(up.method, 'PUT');
    t.true(Math.abs(up.expiresAt.getTime() - Date.now() - 3600_000) < 5_000, 'a signed URL lives one hour by default');
    const put = await send(up, data);
    t.true(put.ok, `PUT answered ${put.status}`);
    t.is((await h.storage.confirmUpload(key, data.length)).size, data.length);
    t.is((await h.storage.head(key))?.size, data.length);
    const down = await h.storage.createDownloadUrl(key, { fileName: 'final render.mov' });
    const got = await fetch(down.url);
    t.is(got.status, 200);
    t.is(sha256(Buffer.from(await got.arrayBuffer())), sha256(data));
    t.regex(got.headers.get('content-disposition') ?? '', /attachment; filename="final render\.mov"/);
    t.is(sha256(await readAll(await h.storage.getStream(key))), sha256(data));
  });

  test(`${name}: server-side streams round-trip, whole and by range, with and without a declared size`, async (t) => {
    const key = uniqueKey('deliverable');
    const data = randomBytes(9 * 1024 * 1024 + 3); // over lib-storage's part size: a multipart upload on S3
    const stored = await h.storage.putStream(key, Readable.from(chunks(data, 64 * 1024)));
    t.is(stored.size, data.length);
    t.is(sha256(await readAll(await h.storage.getStream(key))), sha256(data));
    t.deepEqual(await readAll(await h.storage.getStream(key, { start: 100, end: 199 })), data.subarray(100, 200));
    t.deepEqual(await readAll(await h.storage.getStream(key, { start: data.length - 10 })), data.subarray(data.length - 10));
    const small = uniqueKey('frame');
    await h.storage.putStream(small, Readable.from([Buffer.from('exact')]), { size: 5 });
    t.is((await readAll(await h.storage.getStream(small))).toString(), 'exact');
    await t.throwsAsync(h.storage.getStream(uniqueKey('absent')), { instanceOf: StorageError, message: /No object/ });
  });

  test(`${name}: Range requests answer 206 with Content-Range, 416 when unsatisfiable`, async (t) => {
    const key = uniqueKey('ranged');
    const data = randomBytes(1000);
    await h.storage.putStream(key, Readable.from([data]), { size: data.length });
    const { url } = await h.storage.createDownloadUrl(key);
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      ['bytes=500-599', 500, 599],
      ['bytes=990-', 990, 999],
      ['bytes=995-5000', 995, 999],
    ];
    if (h.suffixRanges) cases.push(['bytes=-100', 900, 999]);
    else t.log('this test server answers suffix ranges (bytes=-N) wrongly; S3 and the local driver answer them');
    for (const [range, start, end] of cases) {
      const res = await fetch(url, { headers: { range } });
      t.is(res.status, 206, range);
      t.is(res.headers.get('content-range'), `bytes ${start}-${end}/1000`, range);
      t.deepEqual(Buffer.from(await res.arrayBuffer()), data.subarray(start, end + 1), range);
    }
    for (const range of ['bytes=1000-', 'bytes=5000-6000']) {
      const res = await fetch(url, { headers: { range } });
      t.is(res.status, 416, range);
      await res.arrayBuffer();
    }
    const whole = await fetch(url);
    t.is(whole.status, 200);
    t.is(whole.headers.get('accept-ranges'), 'bytes');
    t.is((await whole.arrayBuffer()).byteLength, 1000);
    await t.throwsAsync(h.storage.getStream(key, { start: 2000 }), { instanceOf: StorageError, message: /Range/ });
  });

  test(`${name}: a multipart upload resumes after a dropped part by sending only the missing one`, async (t) => {
    const key = uniqueKey('big-bundle');
    const data = randomBytes(2 * MIN_PART_SIZE_BYTES + 12_345);
    const plan = { size: data.length, partSize: MIN_PART_SIZE_BYTES };
    const upload = await h.storage.startMultipart(key, plan);
    t.deepEqual(
      upload.parts.map((p) => [p.partNumber, p.size]),
      [
        [1, MIN_PART_SIZE_BYTES],
        [2, MIN_PART_SIZE_BYTES],
        [3, 12_345],
      ],
    );
    const slice = (n: number) => data.subarray((n - 1) * plan.partSize, Math.min(n * plan.partSize, data.length));
    for (const part of [upload.parts[0]!, upload.parts[2]!]) t.true((await send(part, slice(part.partNumber))).ok);
    await dropMidUpload(upload.parts[1]!, slice(2), 1024 * 1024);

    const listed = await h.storage.listUploadedParts(key, upload.uploadId);
    t.deepEqual(
      listed.map((p) => [p.partNumber, p.size]),
      [
        [1, MIN_PART_SIZE_BYTES],
        [3, 12_345],
      ],
    );
    const early = await t.throwsAsync(h.storage.completeMultipart(key, upload.uploadId, plan), { instanceOf: StorageError });
    t.is(early?.code, StorageErrorCode.incompleteUpload);
    t.deepEqual(early?.details?.missing, [2]);
    t.is(await h.storage.head(key), null, 'nothing is stored before the upload completes');

    const missing = upload.parts.map((p) => p.partNumber).filter((n) => !listed.some((p) => p.partNumber === n));
    const resent = await h.storage.signParts(key, upload.uploadId, { ...plan, partNumbers: missing });
    t.deepEqual(
      resent.map((p) => p.partNumber),
      [2],
    );
    t.true((await send(resent[0]!, slice(2))).ok);
    const done = await h.storage.completeMultipart(key, upload.uploadId, plan);
    t.is(done.size, data.length);
    const down = await fetch((await h.storage.createDownloadUrl(key)).url);
    t.is(sha256(Buffer.from(await down.arrayBuffer())), sha256(data));
    await t.throwsAsync(h.storage.listUploadedParts(key, upload.uploadId), { instanceOf: StorageError, message: /No upload/ });
  });

  test(`${name}: a part of the wrong size never completes an upload; an aborted upload is gone`, async (t) => {
    const key = uniqueKey('bad-parts');
    const data = randomBytes(MIN_PART_SIZE_BYTES + 100);
    const plan = { size: data.length, partSize: MIN_PART_SIZE_BYTES };
    const upload = await h.storage.startMultipart(key, plan);
    t.true((await send(upload.parts[0]!, data.subarray(0, MIN_PART_SIZE_BYTES))).ok);
    const short = await send(upload.parts[1]!, data.subarray(MIN_PART_SIZE_BYTES, data.length - 1));
    if (h.serverVerifiesSignatures) t.is(short.status, 400);
    else t.false(h.signatureHolds({ ...upload.parts[1]!, headers: { 'content-length': '99' } }), 'S3 would refuse the short part: Content-Length is signed');
    const err = await t.throwsAsync(h.storage.completeMultipart(key, upload.uploadId, plan), { instanceOf: StorageError });
    t.deepEqual(err?.details?.missing, [2]);

    await h.storage.abortMultipart(key, upload.uploadId);
    await t.throwsAsync(h.storage.listUploadedParts(key, upload.uploadId), { instanceOf: StorageError, message: /No upload/ });
    await t.throwsAsync(h.storage.completeMultipart(key, upload.uploadId, plan), { instanceOf: StorageError, message: /No upload/ });
    await t.notThrowsAsync(h.storage.abortMultipart(key, upload.uploadId), 'aborting twice is a no-op');
    t.is(await h.storage.head(key), null);
    await t.throwsAsync(h.storage.startMultipart(key, { size: 10 * 1024 * 1024, partSize: 1024 * 1024 }), { instanceOf: StorageError, message: /at least 5242880 bytes/ });
  });

  test(`${name}: an expired URL is refused`, async (t) => {
    const key = uniqueKey('old-link');
    const data = randomBytes(100);
    await h.storage.putStream(key, Readable.from([data]), { size: 100 });
    const twoHoursAgo = h.signingAt({ now: () => new Date(Date.now() - 2 * 3600_000) });
    const oldGet = await twoHoursAgo.createDownloadUrl(key);
    t.true(oldGet.expiresAt.getTime() < Date.now());
    const refused = await fetch(oldGet.url);
    t.is(refused.status, 403);
    await refused.arrayBuffer();
    const freshGet = await fetch((await h.storage.createDownloadUrl(key)).url);
    t.is(freshGet.status, 200, 'the same object by a fresh link');
    await freshGet.arrayBuffer();

    const other = uniqueKey('old-upload');
    const oldPut = await twoHoursAgo.createUploadUrl(other, { size: 100 });
    const putRes = await send(oldPut, data);
    t.is(putRes.status, 403);
    t.is(await h.storage.head(other), null);
  });

  test(`${name}: a URL with a changed key, expiry or signature is refused`, async (t) => {
    const key = uniqueKey('signed');
    const data = randomBytes(200);
    const up = await h.storage.createUploadUrl(key, { size: data.length });
    const other = uniqueKey('elsewhere');
    const url = new URL(up.url);
    const altered = {
      key: up.url.replace(key, other),
      expiry: withParam(url, h.expiryParam, String(Number(url.searchParams.get(h.expiryParam)) + 3600_000)),
      signature: withParam(url, h.signatureParam, flipLastHex(url.searchParams.get(h.signatureParam)!)),
    };
    if (h.serverVerifiesSignatures) {
      for (const [what, alteredUrl] of Object.entries(altered)) {
        const res = await send({ ...up, url: alteredUrl }, data);
        t.is(res.status, 403, `changed ${what}`);
        await res.arrayBuffer();
      }
      t.is(await h.storage.head(key), null);
      t.is(await h.storage.head(other), null);
    } else {
      const headers = { 'content-length': String(data.length) };
      t.true(h.signatureHolds({ ...up, headers }), 'the unaltered URL is correctly signed');
      for (const [what, alteredUrl] of Object.entries(altered)) t.false(h.signatureHolds({ ...up, url: alteredUrl, headers }), `changed ${what}`);
    }
    const down = await h.storage.createDownloadUrl(key);
    const downKey = down.url.replace(key, other);
    if (h.serverVerifiesSignatures) t.is((await fetch(downKey)).status, 403);
    else t.false(h.signatureHolds({ method: 'GET', url: downKey }));
  });

  test(`${name}: an upload of another size than declared is refused and leaves nothing stored`, async (t) => {
    for (const sent of [1000, 3000]) {
      const key = uniqueKey(`wrong-size-${sent}`);
      const up = await h.storage.createUploadUrl(key, { size: 2000 });
      const res = await send(up, randomBytes(sent));
      await res.arrayBuffer();
      if (h.serverVerifiesSignatures) {
        t.is(res.status, sent > 2000 ? 413 : 400);
      } else {
        t.log(`the test server stored ${sent} bytes for a 2000-byte link (it does not check signatures); confirmUpload must catch it`);
        t.true(h.signatureHolds({ ...up, headers: { 'content-length': '2000' } }));
        t.false(h.signatureHolds({ ...up, headers: { 'content-length': String(sent) } }), 'S3 refuses it: Content-Length is signed');
      }
      const err = await t.throwsAsync(h.storage.confirmUpload(key, 2000), { instanceOf: StorageError });
      t.is(err?.code, h.serverVerifiesSignatures ? StorageErrorCode.notFound : StorageErrorCode.sizeMismatch);
      t.is(await h.storage.head(key), null, `nothing stored after sending ${sent} bytes`);
    }
    for (const sent of [10, 30]) {
      const key = uniqueKey(`wrong-stream-${sent}`);
      const err = await t.throwsAsync(h.storage.putStream(key, Readable.from([randomBytes(sent)]), { size: 20 }), { instanceOf: StorageError });
      t.is(err?.code, StorageErrorCode.sizeMismatch);
      t.is(await h.storage.head(key), null);
    }
  });

  test(`${name}: uploads over the size limit are refused`, async (t) => {
    const key = uniqueKey('huge');
    const over = TEST_MAX_UPLOAD_BYTES + 1;
    await t.throwsAsync(h.storage.createUploadUrl(key, { size: over }), { instanceOf: StorageError, message: /at most 16777216 bytes/ });
    await t.throwsAsync(h.storage.startMultipart(key, { size: over, partSize: MIN_PART_SIZE_BYTES }), { instanceOf: StorageError, message: /at most/ });
    const err = await t.throwsAsync(h.storage.putStream(key, Readable.from(zeros(over, 1024 * 1024))), { instanceOf: StorageError });
    t.is(err?.code, StorageErrorCode.tooLarge);
    t.is(await h.storage.head(key), null);
  });

  test(`${name}: bad keys are refused everywhere`, async (t) => {
    const bad = ['../x', '/abs', 'a/../../b', '', 'a//b', 'a/', 'A/b', '.hidden', 'a/./b', 'a\\b', 'a/b?c', 'a b', 'x'.repeat(513)];
    const stream = () => Readable.from([Buffer.from('x')]);
    for (const key of bad) {
      const attempts: [string, () => Promise<unknown>][] = [
        ['createUploadUrl', () => h.storage.createUploadUrl(key, { size: 1 })],
        ['createDownloadUrl', () => h.storage.createDownloadUrl(key)],
        ['startMultipart', () => h.storage.startMultipart(key, { size: MIN_PART_SIZE_BYTES, partSize: MIN_PART_SIZE_BYTES })],
        ['head', () => h.storage.head(key)],
        ['delete', () => h.storage.delete(key)],
        ['putStream', () => h.storage.putStream(key, stream())],
        ['getStream', () => h.storage.getStream(key)],
      ];
      for (const [what, attempt] of attempts) {
        const err = await t.throwsAsync(attempt(), { instanceOf: StorageError }, `${what}(${JSON.stringify(key.slice(0, 20))})`);
        t.is(err?.code, StorageErrorCode.invalidKey);
      }
    }
    for (const prefix of ['../', '/abs/', 'a/../']) {
      await t.throwsAsync(drain(h.storage.listOlderThan(prefix, new Date())), { instanceOf: StorageError, message: /Invalid storage prefix/ });
    }
  });

  // serial: it waits for a clock second to pass and must not race other tests' objects
  test.serial(`${name}: the retention sweep's listing names exactly the objects under a prefix older than the cutoff`, async (t) => {
    const run = randomUUID().slice(0, 8);
    const swept = `sweep-${run}/`;
    const untouched = `keep-${run}/`;
    const old = [`${swept}bundles/a.bin`, `${swept}outputs/j1/frame-0001.exr`, `${untouched}old.bin`];
    for (const key of old) await h.storage.putStream(key, Readable.from([Buffer.from(key)]));
    // S3 times have whole seconds: the cutoff is the next second, and the new objects come after it
    const cutoff = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000);
    await sleep(cutoff.getTime() - Date.now() + 20);
    const fresh = [`${swept}bundles/b.bin`, `${swept}outputs/j2/frame-0001.exr`];
    for (const key of fresh) await h.storage.putStream(key, Readable.from([Buffer.from(key)]));

    const listed = await drain(h.storage.listOlderThan(swept, cutoff));
    t.deepEqual(listed.map((o) => o.key).sort(), old.slice(0, 2).sort());
    for (const key of old.slice(0, 2)) await h.storage.delete(key);
    for (const key of [...fresh, old[2]!]) t.truthy(await h.storage.head(key), `${key} kept`);
    t.deepEqual(await drain(h.storage.listOlderThan(swept, cutoff)), [], 'once deleted, nothing more is listed');
  });

  return { harness: () => h };
}

export function uniqueKey(tag: string): string {
  return `t-${randomUUID().slice(0, 8)}/${tag}.bin`;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}

export async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

function* zeros(total: number, size: number): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += size) yield Buffer.alloc(Math.min(size, total - sent));
}

function withParam(url: URL, name: string, value: string): string {
  const copy = new URL(url);
  copy.searchParams.set(name, value);
  return copy.toString();
}

function flipLastHex(sig: string): string {
  const last = sig.at(-1)!;
  return sig.slice(0, -1) + (last === '0' ? '1' : '0');
}

