// One sealed blob from storage to a plaintext file, in one streaming pass:
//   signed GET → count sealed bytes → decrypt (records verified one by one) → count plaintext → file
// and only then the whole-blob checks: sealed size, plaintext size, sha256.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BundleCryptoError } from '@cloudexport/shared';
import { decryptStream } from '@cloudexport/shared/node';
import { BlobIntegrityError } from './blob-cache.js';
import { sendSigned, statusError, withRetries, type RetryOptions, type SignedRequest } from './signed-request.js';

/** A blob to fetch: what the manifest promises about it, its opened content key and its signed GET. */
export interface BlobSource {
  sha256: string;
  /** Plaintext bytes, as in the manifest. */
  size: number;
  /** Bytes in storage. */
  sealedSize: number;
  key: Uint8Array;
  request: SignedRequest;
}

export interface DownloadOptions extends RetryOptions {
  /** Sealed bytes received: positive as they arrive, negative when a retry starts over. */
  onBytes?: (delta: number) => void;
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

const short = (sha: string) => sha.slice(0, 12);

/**
 * Downloads, decrypts and verifies one blob into `destination` (which must not exist). Throws
 * BundleCryptoError for a wrong key or altered, reordered or truncated records, BlobIntegrityError
 * for a size or hash that is not the manifest's, TransferRefusedError when storage refuses; retries
 * dropped connections and 5xx answers. On any failure `destination` is removed.
 */
export async function downloadBlob(blob: BlobSource, destination: string, options: DownloadOptions = {}): Promise<void> {
  const name = `blob ${short(blob.sha256)}`;
  await withRetries(async () => {
    let received = 0;
    try {
      await attempt(blob, destination, name, options.signal, (n) => {
        received += n;
        options.onBytes?.(n);
      });
    } catch (err) {
      if (received > 0) options.onBytes?.(-received);
      await rm(destination, { force: true });
      if (err instanceof BundleCryptoError) throw new BundleCryptoError(err.code, `${name}: ${err.message}`, err.record);
      throw err;
    }
  }, options);
}

async function attempt(blob: BlobSource, destination: string, name: string, signal: AbortSignal | undefined, onBytes: (n: number) => void): Promise<void> {
  const res = await sendSigned(blob.request, signal ? { signal } : {});
  if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) throw await statusError(res, `the download of ${name}`);
  const declared = res.headers['content-length'];
  if (declared !== undefined && Number(declared) !== blob.sealedSize) {
    res.destroy();
    throw new BlobIntegrityError(`Storage holds ${declared} bytes for ${name}, but its ticket says ${blob.sealedSize}: the stored blob is not the one the artist uploaded. Nothing was kept.`);
  }
  const sealed = new ByteLimit(blob.sealedSize, () => new BlobIntegrityError(`Storage sent more than the ${blob.sealedSize} sealed bytes of ${name}; the download was stopped and nothing kept.`), onBytes);
  const decrypt = decryptStream(blob.key, { hashPlaintext: true });
  const plain = new ByteLimit(blob.size, () => new BlobIntegrityError(`${name} holds more than the ${blob.size} bytes its manifest says; the download was stopped and nothing kept.`));
  await pipeline(res, sealed, decrypt, plain, createWriteStream(destination, { flags: 'wx', mode: 0o600 }), signal ? { signal } : {});
  if (sealed.count !== blob.sealedSize) {
    throw new BlobIntegrityError(`${name} is ${sealed.count} sealed bytes in storage, not the ${blob.sealedSize} its ticket says. Nothing was kept.`);
  }
  if (plain.count !== blob.size) {
    throw new BlobIntegrityError(`${name} decrypted to ${plain.count} bytes, not the ${blob.size} its manifest says. Nothing was kept.`);
  }
  const sha256 = decrypt.plaintextSha256;
  if (sha256 !== blob.sha256) {
    throw new BlobIntegrityError(`${name} failed its hash check (its bytes hash to ${short(sha256)}…): storage holds other data than the manifest lists. Nothing was kept; the artist must export the project again.`);
  }
}
