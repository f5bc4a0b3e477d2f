// Node implementation of the sealed-record format (layout in sealed-records.ts): Transform streams
// that never hold more than one record, buffer helpers for small things (the manifest), and the
// packer's one-pass hash-and-seal.
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type Hash, type KeyObject } from 'node:crypto';
import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertSealedKey,
  assertRecordSize,
  sealedAuthenticationError,
  BundleCryptoError,
  ciphertextSize,
  DEFAULT_RECORD_SIZE,
  encodeSealedHeader,
  parseSealedHeader,
  plaintextSize,
  recordAad,
  recordNonce,
  SEALED_HEADER_BYTES,
  SEALED_NONCE_PREFIX_BYTES,
  SEALED_TAG_BYTES,
  sealedTruncatedError,
  type SealedHeader,
} from './sealed-records.js';

const ALGORITHM = 'aes-256-gcm';

export interface SealOptions {
  /** Plaintext bytes per record, 64 KiB–4 MiB; default 1 MiB. */
  recordSize?: number;
  /** Also hash the plaintext (sha256) while sealing; read `plaintextSha256` once the stream has ended. */
  hashPlaintext?: boolean;
}

export interface OpenOptions {
  /** Also hash the plaintext (sha256) while opening; read `plaintextSha256` once the stream has ended. */
  hashPlaintext?: boolean;
}

/** What opens or seals the records of one sealed stream: its key, its header and the header's nonce prefix. */
export interface RecordCipher {
  key: KeyObject;
  header: Uint8Array;
  noncePrefix: Uint8Array;
}

/** Seals one record; returns ciphertext and tag (two buffers, so a stream can push them without a copy). */
function sealRecord(c: RecordCipher, index: number, last: boolean, plain: Uint8Array): [Buffer, Buffer] {
  const cipher = createCipheriv(ALGORITHM, c.key, recordNonce(c.noncePrefix, index), { authTagLength: SEALED_TAG_BYTES });
  cipher.setAAD(recordAad(c.header, index, last));
  const ciphertext = cipher.update(plain);
  cipher.final();
  return [ciphertext, cipher.getAuthTag()];
}

/** Opens one record (ciphertext ‖ tag); nothing of it is returned unless its tag verifies. */
export function openRecord(c: RecordCipher, index: number, last: boolean, record: Uint8Array): Buffer {
  if (record.length < SEALED_TAG_BYTES) throw sealedTruncatedError(index);
  const split = record.length - SEALED_TAG_BYTES;
  const decipher = createDecipheriv(ALGORITHM, c.key, recordNonce(c.noncePrefix, index), { authTagLength: SEALED_TAG_BYTES });
  decipher.setAAD(recordAad(c.header, index, last));
  decipher.setAuthTag(record.subarray(split));
  const plain = decipher.update(record.subarray(0, split));
  try {
    decipher.final();
  } catch {
    throw sealedAuthenticationError(index);
  }
  return plain;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function digestOf(hash: Hash | undefined, done: string | undefined, what: string): string {
  if (!hash) throw new Error(`${what}: plaintextSha256 needs { hashPlaintext: true }.`);
  if (done === undefined) throw new Error(`${what}: plaintextSha256 is known only after the stream has ended.`);
  return done;
}

/** Seals a byte stream. The header goes out first; each record goes out as soon as it is full. */
/**
 * Cuts a stream into records of `buffer.length` bytes, from `chunk[offset..]` on: the partial
 * record begun earlier (`filled` bytes of `buffer`) is completed first, whole records are handed
 * over straight from the chunk (no copy), the rest waits in `buffer`. Returns the new fill.
 * `onRecord` must be done with a record before it returns: `buffer` is reused.
 */
function cutRecords(chunk: Buffer, offset: number, buffer: Buffer, filled: number, onRecord: (record: Buffer) => void): number {
  const size = buffer.length;
  let at = offset;
  if (filled > 0) {
    const n = Math.min(size - filled, chunk.length - at);
    chunk.copy(buffer, filled, at, at + n);
    filled += n;
    at += n;
    if (filled < size) return filled;
    onRecord(buffer);
  }
  for (; chunk.length - at >= size; at += size) onRecord(chunk.subarray(at, at + size));
  return chunk.copy(buffer, 0, at);
}

export class EncryptStream extends Transform {
  readonly recordSize: number;
  #c: RecordCipher;
  #record: Buffer;
  #filled = 0;
  #index = 0;
  #hash: Hash | undefined;
  #sha256: string | undefined;
  #plainBytes = 0;
  #sealedBytes = 0;

  constructor(key: Uint8Array, options: SealOptions = {}) {
    super();
    assertSealedKey(key);
    this.recordSize = options.recordSize ?? DEFAULT_RECORD_SIZE;
    assertRecordSize(this.recordSize);
    const noncePrefix = randomBytes(SEALED_NONCE_PREFIX_BYTES);
    const header = encodeSealedHeader(this.recordSize, noncePrefix);
    this.#c = { key: createSecretKey(key), header, noncePrefix };
    this.#record = Buffer.allocUnsafe(this.recordSize);
    this.#hash = options.hashPlaintext ? createHash('sha256') : undefined;
    this.#out(Buffer.from(header));
  }

  /** Plaintext bytes taken in so far. */
  get plainBytes(): number {
    return this.#plainBytes;
  }

  /** Sealed bytes put out so far (equals ciphertextSize(plainBytes, recordSize) once ended). */
  get sealedBytes(): number {
    return this.#sealedBytes;
  }

  /** Hex sha256 of the plaintext; needs { hashPlaintext: true } and the stream to have ended. */
  get plaintextSha256(): string {
    return digestOf(this.#hash, this.#sha256, 'EncryptStream');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#hash?.update(chunk);
      this.#plainBytes += chunk.length;
      // a full-length record is never the last one (the last is always shorter, possibly empty)
      this.#filled = cutRecords(chunk, 0, this.#record, this.#filled, (record) => this.#seal(record, false));
      callback();
    } catch (err) {
      callback(toError(err));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      // the last record is always shorter than a record, possibly empty
      this.#seal(this.#record.subarray(0, this.#filled), true);
      this.#filled = 0;
      this.#sha256 = this.#hash?.digest('hex');
      callback();
    } catch (err) {
      callback(toError(err));
    }
  }

  #seal(plain: Uint8Array, last: boolean): void {
    const [ciphertext, tag] = sealRecord(this.#c, this.#index, last, plain);
    this.#index += 1;
    this.#out(ciphertext);
    this.#out(tag);
  }

  #out(bytes: Buffer): void {
    this.#sealedBytes += bytes.length;
    if (bytes.length > 0) this.push(bytes);
  }
}

/**
 * Opens a sealed stream. A record's plaintext goes out only after its tag verified; the stream
 * fails with a BundleCryptoError on a wrong key, any altered, reordered, duplicated or missing
 * record, a truncated end, or bytes after the last record.
 */
export class DecryptStream extends Transform {
  #key: KeyObject;
  #headerBytes = Buffer.alloc(0);
  #c: RecordCipher | undefined;
  #recordBytes = 0;
  #record: Buffer = Buffer.alloc(0);
  #filled = 0;
  #index = 0;
  #hash: Hash | undefined;
  #sha256: string | undefined;
  #plainBytes = 0;

  constructor(key: Uint8Array, options: OpenOptions = {}) {
    super();
    assertSealedKey(key);
    this.#key = createSecretKey(key);
    this.#hash = options.hashPlaintext ? createHash('sha256') : undefined;
  }

  /** The record size the header declared, once the header has arrived. */
  get recordSize(): number | undefined {
    return this.#c ? this.#recordBytes - SEALED_TAG_BYTES : undefined;
  }

  /** Verified plaintext bytes put out so far. */
  get plainBytes(): number {
    return this.#plainBytes;
  }

  /** Hex sha256 of the plaintext; needs { hashPlaintext: true } and the stream to have ended. */
  get plaintextSha256(): string {
    return digestOf(this.#hash, this.#sha256, 'DecryptStream');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      let offset = 0;
      if (!this.#c) {
        offset = Math.min(SEALED_HEADER_BYTES - this.#headerBytes.length, chunk.length);
        this.#headerBytes = Buffer.concat([this.#headerBytes, chunk.subarray(0, offset)]);
        if (this.#headerBytes.length < SEALED_HEADER_BYTES) return callback();
        this.#start(parseSealedHeader(this.#headerBytes));
      }
      // a full-length record is never the last one (the last is always shorter)
      this.#filled = cutRecords(chunk, offset, this.#record, this.#filled, (record) => this.#open(record, false));
      callback();
    } catch (err) {
      callback(toError(err));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (!this.#c) parseSealedHeader(this.#headerBytes); // throws: the data ended inside the header
      if (this.#filled < SEALED_TAG_BYTES) throw sealedTruncatedError(this.#index);
      this.#open(this.#record.subarray(0, this.#filled), true);
      this.#sha256 = this.#hash?.digest('hex');
      callback();
    } catch (err) {
      callback(toError(err));
    }
  }

  #start(header: SealedHeader): void {
    this.#c = { key: this.#key, header: header.bytes, noncePrefix: header.noncePrefix };
    this.#recordBytes = header.recordSize + SEALED_TAG_BYTES;
    this.#record = Buffer.allocUnsafe(this.#recordBytes);
  }

  #open(record: Uint8Array, last: boolean): void {
    if (!this.#c) throw new BundleCryptoError('bad-header', 'Sealed data has no header.');
    const plain = openRecord(this.#c, this.#index, last, record);
    this.#index += 1;
    this.#hash?.update(plain);
    this.#plainBytes += plain.length;
    if (plain.length > 0) this.push(plain);
  }
}

export function encryptStream(key: Uint8Array, options?: SealOptions): EncryptStream {
  return new EncryptStream(key, options);
}

export function decryptStream(key: Uint8Array, options?: OpenOptions): DecryptStream {
  return new DecryptStream(key, options);
}

/** Seals a small plaintext in memory (same format as the stream). */
export function sealBuffer(key: Uint8Array, plaintext: Uint8Array, options: Pick<SealOptions, 'recordSize'> = {}): Buffer {
  assertSealedKey(key);
  const recordSize = options.recordSize ?? DEFAULT_RECORD_SIZE;
  const out = Buffer.allocUnsafe(ciphertextSize(plaintext.length, recordSize));
  const noncePrefix = randomBytes(SEALED_NONCE_PREFIX_BYTES);
  const header = encodeSealedHeader(recordSize, noncePrefix);
  const c: RecordCipher = { key: createSecretKey(key), header, noncePrefix };
  out.set(header, 0);
  let at = SEALED_HEADER_BYTES;
  for (let index = 0, from = 0; ; index += 1, from += recordSize) {
    const last = plaintext.length - from < recordSize;
    const [ciphertext, tag] = sealRecord(c, index, last, plaintext.subarray(from, last ? plaintext.length : from + recordSize));
    out.set(ciphertext, at);
    out.set(tag, at + ciphertext.length);
    at += ciphertext.length + tag.length;
    if (last) break;
  }
  return out;
}

/** Opens sealed data held in memory; throws BundleCryptoError unless every record verifies. */
export function openBuffer(key: Uint8Array, sealed: Uint8Array): Buffer {
  assertSealedKey(key);
  const header = parseSealedHeader(sealed);
  const c: RecordCipher = { key: createSecretKey(key), header: header.bytes, noncePrefix: header.noncePrefix };
  const recordBytes = header.recordSize + SEALED_TAG_BYTES;
  const size = plaintextSize(sealed.length, header.recordSize);
  if (size === null) throw sealedTruncatedError(Math.floor((sealed.length - SEALED_HEADER_BYTES) / recordBytes));
  const out = Buffer.allocUnsafe(size);
  for (let index = 0, at = SEALED_HEADER_BYTES; ; index += 1, at += recordBytes) {
    const last = sealed.length - at < recordBytes;
    const plain = openRecord(c, index, last, sealed.subarray(at, last ? sealed.length : at + recordBytes));
    out.set(plain, index * header.recordSize);
    if (last) break;
  }
  return out;
}

export interface HashAndSealResult {
  /** Hex sha256 of the plaintext, for the manifest. */
  sha256: string;
  plainBytes: number;
  sealedBytes: number;
  recordSize: number;
}

/**
 * Reads `source` once and writes its sealed bytes to `destination`, hashing the plaintext on the
 * way, so the packer never reads a big file twice.
 */
export async function hashAndEncrypt(
  source: NodeJS.ReadableStream | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  destination: Writable,
  key: Uint8Array,
  options: Pick<SealOptions, 'recordSize'> = {},
): Promise<HashAndSealResult> {
  const sealer = new EncryptStream(key, { ...options, hashPlaintext: true });
  await pipeline(source, sealer, destination);
  return { sha256: sealer.plaintextSha256, plainBytes: sealer.plainBytes, sealedBytes: sealer.sealedBytes, recordSize: sealer.recordSize };
}
