// The sealed-record format shared by every bundle, manifest and output blob: AES-256-GCM over
// fixed-size plaintext records. This file is the pure half (layout, nonces, AAD, sizes, errors);
// node:crypto streams live in sealed-stream-node.ts, and the panel can do the same with WebCrypto.
//
//   header  = "CEB1" | version u8 (1) | record size u32 BE | nonce prefix (8 random bytes)   17 bytes
//   record  = AES-256-GCM ciphertext | 16-byte tag
//   nonce i = nonce prefix | u32 BE i
//   AAD i   = header | u64 BE i | last u8 (1 on the final record, 0 otherwise)
//
// Every record but the last holds exactly `recordSize` plaintext bytes; the last holds 0 to
// recordSize - 1, so a plaintext that is a multiple of the record size ends with an empty last
// record and an empty plaintext is one empty last record. Record boundaries therefore follow from
// the length alone, and the authenticated last flag refuses truncation at a record boundary.

export const SEALED_MAGIC = 'CEB1';
export const SEALED_FORMAT_VERSION = 1;
export const SEALED_HEADER_BYTES = 17;
export const SEALED_NONCE_PREFIX_BYTES = 8;
export const SEALED_NONCE_BYTES = 12;
export const SEALED_TAG_BYTES = 16;
export const SEALED_KEY_BYTES = 32;
export const MIN_RECORD_SIZE = 64 * 1024;
export const MAX_RECORD_SIZE = 4 * 1024 * 1024;
export const DEFAULT_RECORD_SIZE = 1024 * 1024;
/** The record index is a u32 in the nonce, so a stream holds at most 2^32 records. */
export const MAX_RECORDS = 2 ** 32;

const MAGIC_BYTES = [0x43, 0x45, 0x42, 0x31]; // "CEB1"
const AAD_BYTES = SEALED_HEADER_BYTES + 8 + 1;

export const bundleCryptoErrorCodes = {
  authentication: 'authentication',
  truncated: 'truncated',
  badHeader: 'bad-header',
  unsupportedVersion: 'unsupported-version',
  badKey: 'bad-key',
  tooLarge: 'too-large',
  badInput: 'bad-input',
} as const;
export type BundleCryptoErrorCode = (typeof bundleCryptoErrorCodes)[keyof typeof bundleCryptoErrorCodes];

/** Sealed data could not be produced or opened. `record` is set when one record is to blame. */
export class BundleCryptoError extends Error {
  readonly code: BundleCryptoErrorCode;
  readonly record: number | undefined;

  constructor(code: BundleCryptoErrorCode, message: string, record?: number) {
    super(message);
    this.name = 'BundleCryptoError';
    this.code = code;
    this.record = record;
  }
}

export function sealedAuthenticationError(record: number): BundleCryptoError {
  return new BundleCryptoError(
    'authentication',
    `Bundle data failed authentication at record ${record}: wrong key, or the data was altered or truncated. Download it again; if it fails again, the upload is damaged and must be redone.`,
    record,
  );
}

export function sealedTruncatedError(record: number): BundleCryptoError {
  return new BundleCryptoError(
    'truncated',
    `Bundle data ended before its last record (record ${record} is missing or cut short): the download or upload was truncated. Download it again.`,
    record,
  );
}

export interface SealedHeader {
  recordSize: number;
  noncePrefix: Uint8Array;
  /** The 17 header bytes exactly as stored, authenticated into every record. */
  bytes: Uint8Array;
}

export function assertRecordSize(recordSize: number): void {
  if (!Number.isInteger(recordSize) || recordSize < MIN_RECORD_SIZE || recordSize > MAX_RECORD_SIZE) {
    throw new BundleCryptoError('bad-input', `Record size ${recordSize} is outside ${MIN_RECORD_SIZE}–${MAX_RECORD_SIZE} bytes.`);
  }
}

export function assertSealedKey(key: Uint8Array, what = 'Content key'): void {
  if (!(key instanceof Uint8Array) || key.length !== SEALED_KEY_BYTES) {
    throw new BundleCryptoError('bad-key', `${what} must be ${SEALED_KEY_BYTES} bytes, got ${key instanceof Uint8Array ? key.length : typeof key}.`);
  }
}

export function encodeSealedHeader(recordSize: number, noncePrefix: Uint8Array): Uint8Array {
  assertRecordSize(recordSize);
  if (noncePrefix.length !== SEALED_NONCE_PREFIX_BYTES) {
    throw new BundleCryptoError('bad-input', `Nonce prefix must be ${SEALED_NONCE_PREFIX_BYTES} bytes, got ${noncePrefix.length}.`);
  }
  const bytes = new Uint8Array(SEALED_HEADER_BYTES);
  bytes.set(MAGIC_BYTES, 0);
  bytes[4] = SEALED_FORMAT_VERSION;
  new DataView(bytes.buffer).setUint32(5, recordSize, false);
  bytes.set(noncePrefix, 9);
  return bytes;
}

/** Reads the first 17 bytes of sealed data; refuses anything that is not a version-1 sealed stream. */
export function parseSealedHeader(data: Uint8Array): SealedHeader {
  if (data.length < SEALED_HEADER_BYTES) {
    throw new BundleCryptoError('truncated', `Bundle data ended inside its ${SEALED_HEADER_BYTES}-byte header (${data.length} bytes): the download or upload was truncated.`);
  }
  if (MAGIC_BYTES.some((b, i) => data[i] !== b)) {
    throw new BundleCryptoError('bad-header', `Not CloudExport sealed data: it does not start with "${SEALED_MAGIC}".`);
  }
  if (data[4] !== SEALED_FORMAT_VERSION) {
    throw new BundleCryptoError('unsupported-version', `Sealed data format version ${data[4]} is not supported (this build reads version ${SEALED_FORMAT_VERSION}). Update CloudExport.`);
  }
  // a copy, not a view: Buffer#slice shares memory, and the DataView below reads from offset 0 of .buffer
  const bytes = new Uint8Array(SEALED_HEADER_BYTES);
  bytes.set(data.subarray(0, SEALED_HEADER_BYTES));
  const recordSize = new DataView(bytes.buffer).getUint32(5, false);
  if (recordSize < MIN_RECORD_SIZE || recordSize > MAX_RECORD_SIZE) {
    throw new BundleCryptoError('bad-header', `Sealed data declares a record size of ${recordSize} bytes, outside ${MIN_RECORD_SIZE}–${MAX_RECORD_SIZE}: the header is damaged.`);
  }
  return { recordSize, noncePrefix: bytes.slice(9, SEALED_HEADER_BYTES), bytes };
}

/** nonce i = nonce prefix ‖ u32 BE i. */
export function recordNonce(noncePrefix: Uint8Array, index: number): Uint8Array {
  assertRecordIndex(index);
  if (noncePrefix.length !== SEALED_NONCE_PREFIX_BYTES) throw new BundleCryptoError('bad-input', `Nonce prefix must be ${SEALED_NONCE_PREFIX_BYTES} bytes.`);
  const nonce = new Uint8Array(SEALED_NONCE_BYTES);
  nonce.set(noncePrefix, 0);
  new DataView(nonce.buffer).setUint32(SEALED_NONCE_PREFIX_BYTES, index, false);
  return nonce;
}

/** AAD i = header ‖ u64 BE i ‖ last flag. */
export function recordAad(header: Uint8Array, index: number, last: boolean): Uint8Array {
  assertRecordIndex(index);
  if (header.length !== SEALED_HEADER_BYTES) throw new BundleCryptoError('bad-input', `Header must be ${SEALED_HEADER_BYTES} bytes.`);
  const aad = new Uint8Array(AAD_BYTES);
  aad.set(header, 0);
  new DataView(aad.buffer).setBigUint64(SEALED_HEADER_BYTES, BigInt(index), false);
  aad[AAD_BYTES - 1] = last ? 1 : 0;
  return aad;
}

function assertRecordIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_RECORDS) {
    throw new BundleCryptoError('too-large', `Record index ${index} is past the format's limit of ${MAX_RECORDS} records per stream: use a larger record size.`);
  }
}

/** How many records a plaintext of `plainSize` bytes seals into (the last one is always shorter than a record). */
export function recordCount(plainSize: number, recordSize: number = DEFAULT_RECORD_SIZE): number {
  assertRecordSize(recordSize);
  if (!Number.isSafeInteger(plainSize) || plainSize < 0) {
    throw new BundleCryptoError('bad-input', `Plaintext size ${plainSize} is not a non-negative safe integer.`);
  }
  const records = Math.floor(plainSize / recordSize) + 1;
  if (records > MAX_RECORDS) {
    throw new BundleCryptoError('too-large', `A ${plainSize}-byte plaintext needs ${records} records of ${recordSize} bytes, past the format's limit of ${MAX_RECORDS}: use a larger record size.`);
  }
  return records;
}

/** The exact sealed length of a plaintext, so storage can check an upload's declared size. */
export function ciphertextSize(plainSize: number, recordSize: number = DEFAULT_RECORD_SIZE): number {
  return SEALED_HEADER_BYTES + plainSize + recordCount(plainSize, recordSize) * SEALED_TAG_BYTES;
}

/** The plaintext length of sealed data of `sealedSize` bytes, or null when no plaintext seals to that size. */
export function plaintextSize(sealedSize: number, recordSize: number = DEFAULT_RECORD_SIZE): number | null {
  assertRecordSize(recordSize);
  if (!Number.isSafeInteger(sealedSize) || sealedSize < SEALED_HEADER_BYTES + SEALED_TAG_BYTES) return null;
  const body = sealedSize - SEALED_HEADER_BYTES;
  const fullRecords = Math.floor(body / (recordSize + SEALED_TAG_BYTES));
  const lastRecord = body - fullRecords * (recordSize + SEALED_TAG_BYTES);
  if (lastRecord < SEALED_TAG_BYTES || fullRecords + 1 > MAX_RECORDS) return null;
  return fullRecords * recordSize + lastRecord - SEALED_TAG_BYTES;
}
