import test from 'ava';
import { randomBytes } from 'node:crypto';
import { send, startS3Harness } from './storage-harness.js';
import { storageContract, uniqueKey } from './storage-contract.js';

const { harness } = storageContract('s3 (s3rver)', startS3Harness);

test('s3: presigned PUTs sign Content-Length, so S3 refuses a body of another size', async (t) => {
  const h = harness();
  const single = new URL((await h.storage.createUploadUrl(uniqueKey('signed-length'), { size: 4321 })).url);
  t.deepEqual(single.searchParams.get('X-Amz-SignedHeaders')?.split(';'), ['content-length', 'host']);
  const key = uniqueKey('signed-parts');
  const upload = await h.storage.startMultipart(key, { size: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
  for (const part of upload.parts) {
    const url = new URL(part.url);
    t.true(url.searchParams.get('X-Amz-SignedHeaders')?.split(';').includes('content-length'), `part ${part.partNumber}`);
    t.true(h.signatureHolds({ ...part, headers: { 'content-length': String(part.size) } }));
    t.false(h.signatureHolds({ ...part, headers: { 'content-length': String(part.size + 1) } }));
  }
  t.is(new URL(upload.parts[0]!.url).searchParams.get('X-Amz-Expires'), '3600');
  await h.storage.abortMultipart(key, upload.uploadId);
});

// What the contract relies on the verifier for: if s3rver starts checking SigV4, flip the
// harness's serverVerifiesSignatures and let the contract send the altered requests.
test('s3rver (the test server) does not check SigV4 signatures or signed lengths, but does check expiry', async (t) => {
  const h = harness();
  const key = uniqueKey('lax');
  const up = await h.storage.createUploadUrl(key, { size: 10 });
  const tampered = new URL(up.url);
  tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
  const res = await send({ ...up, url: tampered.toString() }, randomBytes(7));
  t.is(res.status, 200);
  t.is((await h.storage.head(key))?.size, 7);
  await h.storage.delete(key);
  const expired = await h.signingAt({ now: () => new Date(Date.now() - 3 * 3600_000) }).createDownloadUrl(key);
  t.is((await fetch(expired.url)).status, 403);
});
