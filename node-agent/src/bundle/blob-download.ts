// One bundle blob from storage into the cache's staging file (see sealed-download.ts), retried.
import { rm } from 'node:fs/promises';
import { BundleCryptoError } from '@cloudexport/shared';
import { BlobIntegrityError } from './blob-cache.js';
import { downloadSealed } from './sealed-download.js';
import { withRetries, type RetryOptions, type SignedRequest } from './signed-request.js';

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
  await downloadSealed(blob, destination, {
    label: name,
    promise: 'its ticket',
    mismatch: (sentence) => new BlobIntegrityError(`${sentence} Nothing was kept; if it happens again, the artist must export the project again.`),
    ...(signal ? { signal } : {}),
    onBytes,
  });
}
