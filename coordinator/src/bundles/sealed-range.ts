import { createSecretKey } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream';
import { BundleCryptoError, parseSealedHeader, SEALED_HEADER_BYTES, SEALED_TAG_BYTES, sealedTruncatedError, type SealedHeader } from '@cloudexport/shared';
import { openRecord, type RecordCipher } from '@cloudexport/shared/node';
import type { ObjectStorage } from '../storage/object-storage.js';

/** A sealed object as its row describes it. */
export interface SealedObject {
  key: string;
  /** Plaintext bytes. */
  size: number;
  recordSize: number;
}

/**
 * Plaintext bytes `start`–`end` (inclusive) of a sealed object, reading and opening only the
 * records that cover them: record i starts at 17 + i × (recordSize + 16). Nothing leaves before
 * its record's tag verified; a damaged or altered record fails the stream.
 */
export async function openSealedRange(storage: ObjectStorage, object: SealedObject, contentKey: Uint8Array, range: { start: number; end: number }, onError: (err: Error) => void): Promise<Readable> {
  const header = parseSealedHeader(await readAll(await storage.getStream(object.key, { start: 0, end: SEALED_HEADER_BYTES - 1 })));
  if (header.recordSize !== object.recordSize) {
    throw new BundleCryptoError('bad-header', `Stored object ${object.key} declares ${header.recordSize}-byte records, its record says ${object.recordSize}: it was replaced or damaged.`);
  }
  const rs = object.recordSize;
  const lastRecord = Math.floor(object.size / rs);
  const first = Math.floor(range.start / rs);
  const last = Math.floor(range.end / rs);
  const sealedSize = SEALED_HEADER_BYTES + object.size + (lastRecord + 1) * SEALED_TAG_BYTES;
  const from = SEALED_HEADER_BYTES + first * (rs + SEALED_TAG_BYTES);
  const to = Math.min(SEALED_HEADER_BYTES + (last + 1) * (rs + SEALED_TAG_BYTES), sealedSize) - 1;
  const source = await storage.getStream(object.key, { start: from, end: to });
  return pipeline(source, new RecordRangeOpener(contentKey, header, { first, last, lastRecord, plainSize: object.size }, range), (err) => {
    if (err) onError(err);
  });
}

interface Span {
  first: number;
  last: number;
  /** Index of the stream's last record (the one authenticated as last). */
  lastRecord: number;
  plainSize: number;
}

/** Opens records `first`…`last` as they stream in and passes on only the asked-for bytes. */
class RecordRangeOpener extends Transform {
  readonly #cipher: RecordCipher;
  readonly #span: Span;
  readonly #range: { start: number; end: number };
  readonly #recordSize: number;
  #index: number;
  #record: Buffer;
  #filled = 0;

  constructor(key: Uint8Array, header: SealedHeader, span: Span, range: { start: number; end: number }) {
    super();
    this.#cipher = { key: createSecretKey(key), header: header.bytes, noncePrefix: header.noncePrefix };
    this.#span = span;
    this.#range = range;
    this.#recordSize = header.recordSize;
    this.#index = span.first;
    this.#record = Buffer.allocUnsafe(this.#expected());
  }

  /** Sealed bytes of the current record: full, or the last record's remainder. */
  #expected(): number {
    const plain = this.#index === this.#span.lastRecord ? this.#span.plainSize - this.#index * this.#recordSize : this.#recordSize;
    return plain + SEALED_TAG_BYTES;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      let offset = 0;
      while (offset < chunk.length) {
        if (this.#index > this.#span.last) throw new BundleCryptoError('bad-input', 'Storage sent more bytes than the records asked for.');
        const n = Math.min(this.#record.length - this.#filled, chunk.length - offset);
        chunk.copy(this.#record, this.#filled, offset, offset + n);
        this.#filled += n;
        offset += n;
        if (this.#filled === this.#record.length) this.#open();
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#index <= this.#span.last ? sealedTruncatedError(this.#index) : null);
  }

  #open(): void {
    const i = this.#index;
    const record = this.#record;
    const plain = openRecord(this.#cipher, i, i === this.#span.lastRecord, record);
    const at = i * this.#recordSize;
    const from = Math.max(0, this.#range.start - at);
    const to = Math.min(plain.length, this.#range.end - at + 1);
    if (to > from) this.push(plain.subarray(from, to));
    this.#index += 1;
    this.#filled = 0;
    if (this.#index <= this.#span.last) this.#record = Buffer.allocUnsafe(this.#expected());
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
