import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BundleCryptoError,
  ciphertextSize,
  DEFAULT_RECORD_SIZE,
  MAX_RECORD_SIZE,
  MIN_RECORD_SIZE,
  newContentKey,
  plaintextSize,
  SEALED_HEADER_BYTES,
  SEALED_TAG_BYTES,
  type BundleCryptoErrorCode,
} from '../../src/index.js';
import { decryptStream, encryptStream, hashAndEncrypt, openBuffer, sealBuffer } from '../../src/node.js';

const RS = MIN_RECORD_SIZE; // small records keep the tests fast and the record count high
const REC = RS + SEALED_TAG_BYTES;

/** Splits `data` into chunks of awkward sizes (1 byte, primes, more than a record). */
function oddChunks(data: Uint8Array, seed = 7): Buffer[] {
  const sizes = [1, 3, 4093, 65_537, 17, 131_101, 2, 999];
  const out: Buffer[] = [];
  for (let at = 0, i = seed; at < data.length; i += 1) {
    const n = Math.min(sizes[i % sizes.length] as number, data.length - at);
    out.push(Buffer.from(data.subarray(at, at + n)));
    at += n;
  }
  return out;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function seal(key: Uint8Array, data: Uint8Array, recordSize = RS): Promise<Buffer> {
  return collect(Readable.from(oddChunks(data)).pipe(encryptStream(key, { recordSize })));
}

async function open(key: Uint8Array, sealed: Uint8Array, chunking: 'odd' | 'whole' = 'odd'): Promise<Buffer> {
  const chunks = chunking === 'odd' ? oddChunks(sealed, 3) : [Buffer.from(sealed)];
  const parts: Buffer[] = [];
  await pipeline(Readable.from(chunks), decryptStream(key), new Writable({ write(chunk: Buffer, _e, cb) { parts.push(chunk); cb(); } }));
  return Buffer.concat(parts);
}

/** Byte equality without ava's deepEqual, which is very slow on megabytes. */
function sameBytes(t: ExecutionContext, actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  t.is(actual.length, expected.length, `${what}: length`);
  t.true(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected), `${what}: content`);
}

/** The byte range of record i in sealed data of record size RS. */
function recordAt(i: number): [number, number] {
  return [SEALED_HEADER_BYTES + i * REC, SEALED_HEADER_BYTES + (i + 1) * REC];
}

const sizes = [0, 1, RS - 1, RS, RS + 1, 3 * RS, 5 * 1024 * 1024 + 12_345];
for (const size of sizes) {
  test(`round trip of ${size} bytes through the streams, with odd chunking, at the exact predicted size`, async (t) => {
    const key = newContentKey();
    const data = randomBytes(size);
    const sealed = await seal(key, data);
    t.is(sealed.length, ciphertextSize(size, RS));
    t.is(plaintextSize(sealed.length, RS), size);
    t.is(sealed.subarray(0, 4).toString('latin1'), 'CEB1');
    sameBytes(t, await open(key, sealed), data);
    sameBytes(t, await open(key, sealed, 'whole'), data);
    sameBytes(t, openBuffer(key, sealed), data);
    const buffered = sealBuffer(key, data, { recordSize: RS });
    t.is(buffered.length, sealed.length);
    sameBytes(t, await open(key, buffered), data);
  });
}

test('the default record size is 1 MiB and the header states it', async (t) => {
  const key = newContentKey();
  const data = randomBytes(DEFAULT_RECORD_SIZE * 2 + 5);
  const sealed = await collect(Readable.from(oddChunks(data)).pipe(encryptStream(key)));
  t.is(sealed.readUInt32BE(5), DEFAULT_RECORD_SIZE);
  t.is(sealed.length, ciphertextSize(data.length));
  sameBytes(t, await open(key, sealed), data);
});

test('an empty plaintext seals to exactly one empty last record', async (t) => {
  const key = newContentKey();
  const sealed = await seal(key, new Uint8Array(0));
  t.is(sealed.length, SEALED_HEADER_BYTES + SEALED_TAG_BYTES);
  t.is((await open(key, sealed)).length, 0);
});

test('sealing the same data twice gives different bytes (fresh nonce prefix per stream)', async (t) => {
  const key = newContentKey();
  const data = randomBytes(1000);
  const a = await seal(key, data);
  const b = await seal(key, data);
  t.notDeepEqual(a.subarray(9, 17), b.subarray(9, 17));
  t.notDeepEqual(a.subarray(SEALED_HEADER_BYTES), b.subarray(SEALED_HEADER_BYTES));
});

test('the layout is what sealed-records.ts documents, and WebCrypto (the panel) opens it', async (t) => {
  const key = newContentKey();
  const data = randomBytes(RS + 10);
  const sealed = sealBuffer(key, data, { recordSize: RS });
  const header = sealed.subarray(0, 17);
  t.deepEqual([...header.subarray(0, 5)], [0x43, 0x45, 0x42, 0x31, 1]);
  t.is(header.readUInt32BE(5), RS);
  const webKey = await globalThis.crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
  const plain: Buffer[] = [];
  for (const [i, last] of [[0, false], [1, true]] as const) {
    const iv = Buffer.concat([header.subarray(9, 17), Buffer.from([0, 0, 0, i])]);
    const aad = Buffer.concat([header, Buffer.from([0, 0, 0, 0, 0, 0, 0, i, last ? 1 : 0])]);
    const [from, to] = recordAt(i);
    const record = sealed.subarray(from, Math.min(to, sealed.length));
    plain.push(Buffer.from(await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad, tagLength: 128 }, webKey, record)));
  }
  sameBytes(t, Buffer.concat(plain), data);
});

// --- tampering: every case must be refused by the stream and by openBuffer ------------------

async function refusedEverywhere(t: ExecutionContext, key: Uint8Array, bad: Buffer, codes: BundleCryptoErrorCode[], record?: number): Promise<void> {
  for (const chunking of ['odd', 'whole'] as const) {
    const err = await t.throwsAsync(open(key, bad, chunking), { instanceOf: BundleCryptoError });
    t.true(codes.includes(err!.code), `${chunking}: ${err!.code} ${err!.message}`);
    if (record !== undefined) t.is(err!.record, record);
  }
  const err = t.throws(() => openBuffer(key, bad), { instanceOf: BundleCryptoError });
  t.true(codes.includes(err!.code), `openBuffer: ${err!.code} ${err!.message}`);
  if (record !== undefined) t.is(err!.record, record);
}

async function fourRecords(): Promise<{ key: Uint8Array; data: Buffer; sealed: Buffer }> {
  const key = newContentKey();
  const data = randomBytes(3 * RS + 1000); // records 0–2 full, record 3 the short last one
  return { key, data, sealed: await seal(key, data) };
}

test('a flipped bit in a record is refused at that record, with the user-facing message', async (t) => {
  const { key, sealed } = await fourRecords();
  const bad = Buffer.from(sealed);
  bad[recordAt(2)[0] + 100]! ^= 0x01;
  await refusedEverywhere(t, key, bad, ['authentication'], 2);
  const err = await t.throwsAsync(open(key, bad), { instanceOf: BundleCryptoError });
  t.regex(err!.message, /^Bundle data failed authentication at record 2: wrong key, or the data was altered or truncated/);
});

test('a flipped bit in a tag is refused', async (t) => {
  const { key, sealed } = await fourRecords();
  const bad = Buffer.from(sealed);
  bad[recordAt(1)[1] - 1]! ^= 0x80;
  await refusedEverywhere(t, key, bad, ['authentication'], 1);
  const lastTag = Buffer.from(sealed);
  lastTag[lastTag.length - 1]! ^= 0x01;
  await refusedEverywhere(t, key, lastTag, ['authentication'], 3);
});

test('a flipped bit anywhere in the header is refused', async (t) => {
  const { key, sealed } = await fourRecords();
  for (let i = 0; i < SEALED_HEADER_BYTES; i += 1) {
    const bad = Buffer.from(sealed);
    bad[i]! ^= 0x04;
    await refusedEverywhere(t, key, bad, ['authentication', 'bad-header', 'unsupported-version', 'truncated']);
  }
  // a record size that is in range but not the sealer's: the header is authenticated, so record 0 fails
  const resized = Buffer.from(sealed);
  resized.writeUInt32BE(RS * 2, 5);
  await refusedEverywhere(t, key, resized, ['authentication']);
});

test('dropping the last record (truncation at a record boundary) is refused', async (t) => {
  const { key, sealed } = await fourRecords();
  const bad = sealed.subarray(0, recordAt(3)[0]);
  await refusedEverywhere(t, key, bad, ['truncated'], 3);
  // a multiple of the record size ends in an empty last record: dropping just that is refused too
  const even = randomBytes(2 * RS);
  const evenSealed = await seal(key, even);
  await refusedEverywhere(t, key, evenSealed.subarray(0, evenSealed.length - SEALED_TAG_BYTES), ['truncated'], 2);
});

test('truncation mid-record, inside the header, or to nothing is refused', async (t) => {
  const { key, sealed } = await fourRecords();
  await refusedEverywhere(t, key, sealed.subarray(0, recordAt(1)[0] + 5000), ['authentication'], 1);
  await refusedEverywhere(t, key, sealed.subarray(0, recordAt(1)[0] + 5), ['truncated'], 1);
  await refusedEverywhere(t, key, sealed.subarray(0, sealed.length - 1), ['authentication'], 3);
  await refusedEverywhere(t, key, sealed.subarray(0, SEALED_HEADER_BYTES), ['truncated'], 0);
  await refusedEverywhere(t, key, sealed.subarray(0, 10), ['truncated']);
  await refusedEverywhere(t, key, Buffer.alloc(0), ['truncated']);
});

test('two records swapped are refused', async (t) => {
  const { key, sealed } = await fourRecords();
  const r0 = sealed.subarray(...recordAt(0));
  const r1 = sealed.subarray(...recordAt(1));
  const bad = Buffer.concat([sealed.subarray(0, SEALED_HEADER_BYTES), r1, r0, sealed.subarray(recordAt(2)[0])]);
  t.is(bad.length, sealed.length);
  await refusedEverywhere(t, key, bad, ['authentication'], 0);
});

test('a duplicated record is refused', async (t) => {
  const { key, sealed } = await fourRecords();
  const r1 = sealed.subarray(...recordAt(1));
  const bad = Buffer.concat([sealed.subarray(0, recordAt(2)[0]), r1, sealed.subarray(recordAt(2)[0])]);
  await refusedEverywhere(t, key, bad, ['authentication'], 2);
});

test('a record from another stream under the same key is refused', async (t) => {
  const { key, data, sealed } = await fourRecords();
  const other = await seal(key, data);
  const bad = Buffer.concat([sealed.subarray(0, recordAt(1)[0]), other.subarray(...recordAt(1)), sealed.subarray(recordAt(2)[0])]);
  await refusedEverywhere(t, key, bad, ['authentication'], 1);
});

test('bytes after the last record are refused', async (t) => {
  const { key, sealed } = await fourRecords();
  await refusedEverywhere(t, key, Buffer.concat([sealed, Buffer.from([0])]), ['authentication']);
  await refusedEverywhere(t, key, Buffer.concat([sealed, randomBytes(REC + 3)]), ['authentication']);
  const lastRecord = sealed.subarray(recordAt(3)[0]);
  await refusedEverywhere(t, key, Buffer.concat([sealed, lastRecord]), ['authentication']);
  const empty = await seal(key, new Uint8Array(0));
  await refusedEverywhere(t, key, Buffer.concat([empty, empty.subarray(SEALED_HEADER_BYTES)]), ['authentication'], 0);
});

test('a wrong key is refused at record 0', async (t) => {
  const { sealed } = await fourRecords();
  await refusedEverywhere(t, newContentKey(), sealed, ['authentication'], 0);
  const empty = await seal(newContentKey(), new Uint8Array(0));
  await refusedEverywhere(t, newContentKey(), empty, ['authentication'], 0);
});

test('the decryptor emits no plaintext of a record before its tag verifies', async (t) => {
  const { key, data, sealed } = await fourRecords();
  const bad = Buffer.from(sealed);
  bad[recordAt(1)[1] - 1]! ^= 0x01; // record 1's tag
  const emitted: Buffer[] = [];
  const decryptor = decryptStream(key);
  decryptor.on('data', (chunk: Buffer) => emitted.push(chunk));
  const done = new Promise<Error>((resolve) => decryptor.on('error', resolve));
  // trickle record 1 in small pieces: none of it may come out
  for (const chunk of oddChunks(bad, 0)) decryptor.write(chunk);
  decryptor.end();
  const err = await done;
  t.true(err instanceof BundleCryptoError);
  sameBytes(t, Buffer.concat(emitted), data.subarray(0, RS));
});

test('hashAndEncrypt reads a file once and gives its sha256 and the sealed bytes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ce-bundle-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const data = randomBytes(3 * 1024 * 1024 + 77);
  const file = join(dir, 'footage.bin');
  await writeFile(file, data);
  const key = newContentKey();
  const parts: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { parts.push(chunk); cb(); } });
  const result = await hashAndEncrypt(createReadStream(file), sink, key, { recordSize: 256 * 1024 });
  const sealed = Buffer.concat(parts);
  t.is(result.sha256, createHash('sha256').update(data).digest('hex'));
  t.is(result.plainBytes, data.length);
  t.is(result.sealedBytes, sealed.length);
  t.is(result.sealedBytes, ciphertextSize(data.length, 256 * 1024));
  sameBytes(t, openBuffer(key, sealed), data);
});

test('the decryptor can hash the plaintext it verified', async (t) => {
  const { key, data, sealed } = await fourRecords();
  const decryptor = decryptStream(key, { hashPlaintext: true });
  t.throws(() => decryptor.plaintextSha256, { message: /after the stream has ended/ });
  sameBytes(t, await collect(Readable.from(oddChunks(sealed)).pipe(decryptor)), data);
  t.is(decryptor.plaintextSha256, createHash('sha256').update(data).digest('hex'));
  t.is(decryptor.recordSize, RS);
});

test('record sizes outside 64 KiB–4 MiB and keys that are not 32 bytes are refused', (t) => {
  const key = newContentKey();
  for (const recordSize of [MIN_RECORD_SIZE - 1, MAX_RECORD_SIZE + 1, 1.5 * MIN_RECORD_SIZE + 0.5]) {
    t.is(t.throws(() => encryptStream(key, { recordSize }), { instanceOf: BundleCryptoError })!.code, 'bad-input');
    t.throws(() => ciphertextSize(10, recordSize), { instanceOf: BundleCryptoError });
  }
  t.notThrows(() => encryptStream(key, { recordSize: MAX_RECORD_SIZE }));
  t.is(t.throws(() => encryptStream(key.subarray(0, 16)), { instanceOf: BundleCryptoError })!.code, 'bad-key');
  t.is(t.throws(() => decryptStream(new Uint8Array(31)), { instanceOf: BundleCryptoError })!.code, 'bad-key');
});
