// One sealed file from storage to a plaintext file, in one streaming pass:
//   signed GET → count sealed bytes → decrypt (records verified one by one) → count plaintext → file
// and only then the whole-file checks: sealed size, record size, plaintext size, sha256. Bundle
// blobs and assembly inputs both come this way; each caller words what is wrong its own way.
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decryptStream } from '@cloudexport/shared/node';
import { sendSigned, statusError, type SignedRequest } from './signed-request.js';

/** What storage should hold: sizes and hash as promised, the opened content key and a signed GET. */
export interface SealedSource {
  sha256: string;
  /** Plaintext bytes. */
  size: number;
  /** Bytes in storage. */
  sealedSize: number;
  /** The record size it was sealed with, when the promise includes it. */
  recordSize?: number;
  key: Uint8Array;
  request: SignedRequest;
}

export interface SealedDownload {
  /** `blob 1a2b3c…`, `frame 42 (frame_00042.tif)`: names the file in every message. */
  label: string;
  /** Who promised the sizes and hash: `its manifest`, `its ticket`. */
  promise: string;
  /** The error for a file that is not what was promised, given the sentence saying how. */
  mismatch: (sentence: string) => Error;
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
}

/** Passes bytes through, failing the stream the moment more than `limit` have gone by. */
class ByteLimit extends Transform {
  count = 0;

  constructor(
    private readonly limit: number,
    private readonly tooMany: () => Error,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.limit) return callback(this.tooMany());
    this.onBytes?.(chunk.length);
    callback(null, chunk);
  }
}

/**
 * Downloads, decrypts and checks one sealed file into `destination` (created exclusively, owner
 * only). Throws `mismatch(…)` for sizes or a hash other than promised, BundleCryptoError for a
 * wrong key or altered records, TransferRefusedError when storage refuses. The caller retries and
 * removes `destination` on failure.
 */
export async function downloadSealed(source: SealedSource, destination: string, d: SealedDownload): Promise<void> {
  const { label, promise, mismatch, signal } = d;
  const res = await sendSigned(source.request, signal ? { signal } : {});
  if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) throw await statusError(res, `the download of ${label}`);
  const declared = res.headers['content-length'];
  if (declared !== undefined && Number(declared) !== source.sealedSize) {
    res.destroy();
    throw mismatch(`Storage holds ${declared} bytes for ${label}, but ${promise} says ${source.sealedSize}.`);
  }
  const sealed = new ByteLimit(source.sealedSize, () => mismatch(`Storage sent more than the ${source.sealedSize} sealed bytes of ${label}; the download was stopped.`), d.onBytes);
  const decrypt = decryptStream(source.key, { hashPlaintext: true });
  const plain = new ByteLimit(source.size, () => mismatch(`${label} holds more than the ${source.size} bytes ${promise} says; the download was stopped.`));
  await pipeline(res, sealed, decrypt, plain, createWriteStream(destination, { flags: 'wx', mode: 0o600 }), signal ? { signal } : {});
  if (sealed.count !== source.sealedSize) throw mismatch(`${label} is ${sealed.count} sealed bytes in storage, not the ${source.sealedSize} ${promise} says.`);
  if (source.recordSize !== undefined && decrypt.recordSize !== source.recordSize) {
    throw mismatch(`${label} was sealed in ${decrypt.recordSize}-byte records, not the ${source.recordSize} ${promise} says.`);
  }
  if (plain.count !== source.size) throw mismatch(`${label} decrypted to ${plain.count} bytes, not the ${source.size} ${promise} says.`);
  const sha256 = decrypt.plaintextSha256;
  if (sha256 !== source.sha256) {
    throw mismatch(`${label} failed its hash check: its bytes hash to ${sha256.slice(0, 12)}…, ${promise} says ${source.sha256.slice(0, 12)}…, so storage holds other data than was uploaded.`);
  }
}
