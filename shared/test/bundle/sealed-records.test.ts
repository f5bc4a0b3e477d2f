import test from 'ava';
import {
  BundleCryptoError,
  ciphertextSize,
  encodeSealedHeader,
  MAX_RECORDS,
  MIN_RECORD_SIZE,
  parseSealedHeader,
  plaintextSize,
  recordAad,
  recordCount,
  recordNonce,
  SEALED_HEADER_BYTES,
  SEALED_TAG_BYTES,
} from '../../src/index.js';

const prefix = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

test('the header is CEB1, version 1, record size u32 BE, nonce prefix, and parses back', (t) => {
  const header = encodeSealedHeader(0x00_10_00_00, prefix);
  t.deepEqual([...header], [0x43, 0x45, 0x42, 0x31, 1, 0x00, 0x10, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]);
  const parsed = parseSealedHeader(new Uint8Array([...header, 9, 9, 9]));
  t.is(parsed.recordSize, 0x00_10_00_00);
  t.deepEqual([...parsed.noncePrefix], [...prefix]);
  t.deepEqual([...parsed.bytes], [...header]);
});

test('nonce i is the prefix and u32 BE i; AAD is header, u64 BE i and the last flag', (t) => {
  t.deepEqual([...recordNonce(prefix, 0x01020304)], [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4]);
  const header = encodeSealedHeader(MIN_RECORD_SIZE, prefix);
  const aad = recordAad(header, MAX_RECORDS - 1, true);
  t.is(aad.length, SEALED_HEADER_BYTES + 9);
  t.deepEqual([...aad.subarray(0, SEALED_HEADER_BYTES)], [...header]);
  t.deepEqual([...aad.subarray(SEALED_HEADER_BYTES)], [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1]);
  t.is(recordAad(header, 5, false).at(-1), 0);
});

test('record indexes past 2^32 - 1 are refused', (t) => {
  t.notThrows(() => recordNonce(prefix, MAX_RECORDS - 1));
  t.is(t.throws(() => recordNonce(prefix, MAX_RECORDS), { instanceOf: BundleCryptoError })!.code, 'too-large');
  t.is(recordCount(MAX_RECORDS * MIN_RECORD_SIZE - 1, MIN_RECORD_SIZE), MAX_RECORDS);
  t.is(t.throws(() => ciphertextSize(MAX_RECORDS * MIN_RECORD_SIZE, MIN_RECORD_SIZE), { instanceOf: BundleCryptoError })!.code, 'too-large');
});

test('ciphertextSize: header, plaintext, and one tag per record including the short last one', (t) => {
  const rs = MIN_RECORD_SIZE;
  t.is(ciphertextSize(0, rs), SEALED_HEADER_BYTES + SEALED_TAG_BYTES);
  t.is(ciphertextSize(rs - 1, rs), SEALED_HEADER_BYTES + rs - 1 + SEALED_TAG_BYTES);
  t.is(ciphertextSize(rs, rs), SEALED_HEADER_BYTES + rs + 2 * SEALED_TAG_BYTES);
  t.is(ciphertextSize(10 * rs + 5, rs), SEALED_HEADER_BYTES + 10 * rs + 5 + 11 * SEALED_TAG_BYTES);
  for (const bad of [-1, 0.5, Number.NaN, 2 ** 53]) t.throws(() => ciphertextSize(bad, rs), { instanceOf: BundleCryptoError }, String(bad));
});

test('plaintextSize inverts ciphertextSize and rejects lengths no plaintext seals to', (t) => {
  const rs = MIN_RECORD_SIZE;
  for (const n of [0, 1, rs - 1, rs, rs + 1, 7 * rs + 3, 2 ** 40 + 17]) t.is(plaintextSize(ciphertextSize(n, rs), rs), n);
  t.is(plaintextSize(SEALED_HEADER_BYTES + 15, rs), null);
  t.is(plaintextSize(SEALED_HEADER_BYTES + rs + SEALED_TAG_BYTES, rs), null); // a full record and no last record
  t.is(plaintextSize(SEALED_HEADER_BYTES + rs + SEALED_TAG_BYTES + 3, rs), null);
});

test('headers that are not version-1 sealed data are refused with a reason', (t) => {
  const header = encodeSealedHeader(MIN_RECORD_SIZE, prefix);
  const code = (bytes: Uint8Array) => t.throws(() => parseSealedHeader(bytes), { instanceOf: BundleCryptoError })!.code;
  t.is(code(header.subarray(0, 16)), 'truncated');
  t.is(code(Uint8Array.from(header, (b, i) => (i === 0 ? 0x50 : b))), 'bad-header');
  t.is(code(Uint8Array.from(header, (b, i) => (i === 4 ? 2 : b))), 'unsupported-version');
  t.is(code(Uint8Array.from(header, (b, i) => (i === 5 ? 0x7f : b))), 'bad-header');
  t.is(code(Uint8Array.from(header, (b, i) => (i === 7 ? 0 : i === 6 ? 0 : b))), 'bad-header'); // record size 0
  t.throws(() => encodeSealedHeader(MIN_RECORD_SIZE, prefix.subarray(1)), { instanceOf: BundleCryptoError });
});
