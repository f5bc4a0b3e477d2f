import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { BundleCryptoError, newContentKey } from '@cloudexport/shared';
import { sealBuffer } from '@cloudexport/shared/node';
import { BlobIntegrityError } from '../src/bundle/blob-cache.js';
import { downloadBlob, type BlobSource } from '../src/bundle/blob-download.js';
import { TransferRefusedError } from '../src/bundle/signed-request.js';
import { sha256, storageDouble, tempDir, type Misbehaviour, type StorageDouble } from './bundle-fixtures.js';

const MiB = 1024 ** 2;

/** A sealed blob served at /b, and what its ticket would say about it. */
function served(storage: StorageDouble, data: Buffer, misbehave: Misbehaviour = {}): BlobSource & { sealed: Buffer } {
  const key = newContentKey();
  const sealed = sealBuffer(key, data);
  storage.serve('/b', sealed, misbehave);
  return { sha256: sha256(data), size: data.length, sealedSize: sealed.length, key, request: storage.request('/b'), sealed };
}

const gone = (path: string) => access(path).then(
  () => false,
  () => true,
);

test('a multi-record blob streams in, decrypted and verified, byte-identical; progress counts sealed bytes', async (t) => {
  const storage = await storageDouble(t);
  const data = randomBytes(3 * MiB + 12_345);
  const blob = served(storage, data);
  const out = join(await tempDir(t), 'blob');
  let bytes = 0;
  await downloadBlob(blob, out, { onBytes: (n) => (bytes += n) });
  t.is(sha256(await readFile(out)), sha256(data));
  t.is(bytes, blob.sealedSize);
});

test('dropped connections and 503s are retried, and progress starts over with each try', async (t) => {
  const storage = await storageDouble(t);
  const data = randomBytes(2 * MiB);
  const blob = served(storage, data, { status: { code: 503, times: 1 }, dropAfter: { bytes: MiB, times: 1 } });
  const out = join(await tempDir(t), 'blob');
  let bytes = 0;
  await downloadBlob(blob, out, { retryDelayMs: 10, onBytes: (n) => (bytes += n) });
  t.is(sha256(await readFile(out)), sha256(data));
  t.is(storage.requests.get('/b'), 3, '503, then a cut, then the whole blob');
  t.is(bytes, blob.sealedSize);
});

test('retries stop after the last try, leaving no file', async (t) => {
  const storage = await storageDouble(t);
  const blob = served(storage, randomBytes(1000), { status: { code: 500, times: 10 } });
  const out = join(await tempDir(t), 'blob');
  await t.throwsAsync(downloadBlob(blob, out, { attempts: 3, retryDelayMs: 5 }), { message: /Storage answered 500/ });
  t.is(storage.requests.get('/b'), 3);
  t.true(await gone(out));
});

test('a refusal (403: expired or wrong signature) is not retried', async (t) => {
  const storage = await storageDouble(t);
  const blob = served(storage, randomBytes(1000));
  const out = join(await tempDir(t), 'blob');
  const err = await t.throwsAsync(downloadBlob({ ...blob, request: { ...blob.request, headers: {} } }, out, { retryDelayMs: 5 }), { instanceOf: TransferRefusedError });
  t.regex(err!.message, /403.*expired/);
  t.is(storage.requests.get('/b'), 1);
});

test('sealed data shorter than a record boundary (truncated in storage) is a BundleCryptoError', async (t) => {
  const storage = await storageDouble(t);
  const blob = served(storage, randomBytes(200_000));
  const cut = blob.sealed.subarray(0, blob.sealed.length - 20);
  storage.serve('/b', cut);
  const out = join(await tempDir(t), 'blob');
  const err = await t.throwsAsync(downloadBlob({ ...blob, sealedSize: cut.length }, out), { instanceOf: BundleCryptoError });
  t.regex(err!.message, /blob [0-9a-f]{12}: /);
  t.true(await gone(out));
});

test('storage holding a different sealed size than the ticket is refused before decrypting', async (t) => {
  const storage = await storageDouble(t);
  const blob = served(storage, randomBytes(5000));
  const out = join(await tempDir(t), 'blob');
  const err = await t.throwsAsync(downloadBlob({ ...blob, sealedSize: blob.sealedSize - 1 }, out), { instanceOf: BlobIntegrityError });
  t.regex(err!.message, /ticket says/);
  t.true(await gone(out));
});

test('plaintext beyond the manifest size stops the download at once', async (t) => {
  const storage = await storageDouble(t);
  const data = randomBytes(8 * MiB);
  const blob = served(storage, data);
  const out = join(await tempDir(t), 'blob');
  let bytes = 0;
  let peak = 0;
  const onBytes = (n: number) => {
    bytes += n;
    peak = Math.max(peak, bytes);
  };
  const err = await t.throwsAsync(downloadBlob({ ...blob, size: 1000 }, out, { onBytes }), { instanceOf: BlobIntegrityError });
  t.regex(err!.message, /more than the 1000 bytes/);
  t.true(await gone(out));
  t.true(peak < blob.sealedSize / 2, `stopped after ${peak} of ${blob.sealedSize} sealed bytes`);
  t.is(bytes, 0, 'progress taken back');
});
