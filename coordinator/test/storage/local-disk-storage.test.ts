import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LOCAL_STORAGE_PATH } from '../../src/storage/local-disk-storage.js';
import { MIN_PART_SIZE_BYTES } from '../../src/storage/object-storage.js';
import { send, startLocalHarness } from './storage-harness.js';
import { readAll, storageContract, uniqueKey } from './storage-contract.js';

const { harness } = storageContract('local', startLocalHarness);

test('local: signed URLs point at the coordinator and refusals carry the API error body', async (t) => {
  const h = harness();
  const key = uniqueKey('shape');
  await h.storage.putStream(key, Readable.from([Buffer.from('hello')]));
  const down = await h.storage.createDownloadUrl(key);
  t.true(down.url.startsWith(`${h.baseUrl}${LOCAL_STORAGE_PATH}${key}?op=get&exp=`));
  t.regex(down.url, /&sig=[0-9a-f]{64}$/);

  const expired = await h.signingAt({ now: () => new Date(Date.now() - 2 * 3600_000) }).createDownloadUrl(key);
  const res = await fetch(expired.url);
  t.is(res.status, 403);
  const body = (await res.json()) as { error: { code: string; message: string; details: { reason: string } } };
  t.is(body.error.code, 'forbidden');
  t.is(body.error.details.reason, 'expired');
  t.regex(body.error.message, /expired at .* Ask the coordinator for a new link/);

  const forged = await fetch(down.url.replace(/sig=.*/, `sig=${'a'.repeat(64)}`));
  t.is(((await forged.json()) as { error: { details: { reason: string } } }).error.details.reason, 'bad_signature');
  const unsigned = await fetch(`${h.baseUrl}${LOCAL_STORAGE_PATH}${key}`);
  t.is(unsigned.status, 403);
  await unsigned.arrayBuffer();
  const extra = await fetch(`${down.url}&op=put`);
  t.is(extra.status, 403, 'a repeated parameter is refused');
  await extra.arrayBuffer();

  const wrongMethod = await fetch(down.url, { method: 'PUT', body: 'hello' });
  t.is(wrongMethod.status, 403);
  t.is(((await wrongMethod.json()) as { error: { details: { reason: string } } }).error.details.reason, 'wrong_method');
  t.is((await readAll(await h.storage.getStream(key))).toString(), 'hello', 'the object is untouched');

  const gone = uniqueKey('never-uploaded');
  const missing = await fetch((await h.storage.createDownloadUrl(gone)).url);
  t.is(missing.status, 404);
  t.is(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
});

test('local: HEAD gives the size without a body; an empty object downloads as empty', async (t) => {
  const h = harness();
  const key = uniqueKey('head');
  await h.storage.putStream(key, Readable.from([randomBytes(4096)]), { size: 4096 });
  const { url } = await h.storage.createDownloadUrl(key);
  const head = await fetch(url, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('content-length'), '4096');
  t.is(head.headers.get('accept-ranges'), 'bytes');
  t.is((await head.arrayBuffer()).byteLength, 0);

  const empty = uniqueKey('empty');
  const up = await h.storage.createUploadUrl(empty, { size: 0 });
  t.is((await send(up, new Uint8Array(0))).status, 200);
  const got = await fetch((await h.storage.createDownloadUrl(empty)).url);
  t.is(got.status, 200);
  t.is((await got.arrayBuffer()).byteLength, 0);
  t.is((await fetch((await h.storage.createDownloadUrl(empty)).url, { headers: { range: 'bytes=0-0' } })).status, 416);
});

// serial: the temp folder must hold no other test's upload in flight
test.serial('local: a chunked upload that runs past its size is cut off with 413 and stores nothing', async (t) => {
  const h = harness();
  const key = uniqueKey('chunked');
  const up = await h.storage.createUploadUrl(key, { size: 100_000 });
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(up.url, { method: 'PUT' }); // no Content-Length: chunked
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < 1_000_000) {
        sent += 10_000;
        if (!req.write(randomBytes(10_000))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  t.is(status, 413);
  t.is(await h.storage.head(key), null);
  t.deepEqual(await readdir(join(h.root, 'tmp')), [], 'no temp file left behind');

  const exact = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(up.url, { method: 'PUT' });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    for (let i = 0; i < 10; i += 1) req.write(randomBytes(10_000));
    req.end();
  });
  t.is(exact, 200, 'the same link takes exactly its size chunked');
  t.is((await h.storage.head(key))?.size, 100_000);
});

test('local: a path that climbs out of the storage folder is refused', async (t) => {
  const h = harness();
  for (const path of ['/storage/..%2f..%2fetc%2fpasswd', '/storage/../../etc/passwd', '/storage/%2e%2e/x']) {
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest(`${h.baseUrl}${path}?op=get&exp=9999999999999&sig=${'0'.repeat(64)}`, { method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    t.true(status === 403 || status === 404, `${path} answered ${status}`);
  }
});

test.serial('local: abandoned multipart uploads and temp files are dropped by age', async (t) => {
  const h = harness();
  const key = uniqueKey('abandoned');
  const upload = await h.storage.startMultipart(key, { size: MIN_PART_SIZE_BYTES + 1, partSize: MIN_PART_SIZE_BYTES });
  await writeFile(join(h.root, 'tmp', 'stale.tmp'), 'half an upload');
  const past = new Date(Date.now() - 10 * 86_400_000);
  await utimes(join(h.root, 'tmp', 'stale.tmp'), past, past);
  t.is(await h.storage.abortIncompleteUploads(new Date(Date.now() - 86_400_000)), 1, 'only the stale temp file is that old');
  t.deepEqual(await h.storage.listUploadedParts(key, upload.uploadId), []);
  t.is(await h.storage.abortIncompleteUploads(new Date(Date.now() + 1000)), 1);
  await t.throwsAsync(h.storage.listUploadedParts(key, upload.uploadId), { message: /No upload/ });
});
