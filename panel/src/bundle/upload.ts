// Uploading a packed bundle once: ask which blobs the coordinator lacks, seal and send only
// those (to the signed URLs exactly as given, parts in parallel, resumable), then register the
// manifest. Blobs the artist uploaded before (same sha256) are never read a second time.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  blobSchema,
  blobUploadSchema,
  bundleSchema,
  ciphertextSize,
  DEFAULT_RECORD_SIZE,
  missingBlobsSchema,
  type BlobUpload,
  type Bundle,
  type StartBlobUploadBody,
} from '@cloudexport/shared';
import { ApiRequestError, type CoordinatorClient } from '../api/coordinator-client.js';
import { Limiter, mapLimited } from './limiter.js';
import { sealFile, type PackedBundle, type PackedFile, type SealedBlob } from './pack.js';
import { putSigned, TransferError } from './signed-put.js';

export interface UploadProgress {
  /** Plaintext bytes sealed of the blobs to upload. */
  sealedBytes: number;
  sealTotal: number;
  /** Sealed bytes the storage has taken. */
  uploadedBytes: number;
  uploadTotal: number;
  /** Distinct blobs in the bundle, and how many of them the coordinator lacked. */
  blobs: number;
  missingBlobs: number;
}

export interface UploadOptions {
  client: CoordinatorClient;
  bundle: PackedBundle;
  /** A folder for sealed copies of the blobs in flight (each deleted once sent). */
  tempDir: string;
  /** Blobs sealed and sent at once, and signed-URL requests at once; default 4. */
  concurrency?: number;
  /** Tries per blob, each resuming where the last stopped; default 6. */
  maxAttempts?: number;
  /** Wait before the first retry, doubled each time, jittered; default 500 ms. */
  retryDelayMs?: number;
  /** Longest wait between tries; default 30 s. */
  maxRetryDelayMs?: number;
  /** Plaintext bytes per sealed record; default the format's (1 MiB). */
  recordSize?: number;
  /** For the signed URLs; default the global fetch. */
  fetch?: typeof fetch;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

export interface UploadResult {
  bundle: Bundle;
  /** sha256 of the blobs sent this time (the others were stored already). */
  uploaded: string[];
  blobs: number;
}

export class UploadError extends Error {
  override readonly name = 'UploadError';
}

const MISSING_BATCH = 10_000;

export async function uploadBundle(options: UploadOptions): Promise<UploadResult> {
  const { client, bundle } = options;
  const recordSize = options.recordSize ?? DEFAULT_RECORD_SIZE;
  const concurrency = options.concurrency ?? 4;
  const inner = new AbortController();
  const stop = () => inner.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  const signal = inner.signal;

  try {
    // one blob per content: two files with the same bytes are sent once
    const blobs = new Map<string, PackedFile>();
    for (const file of bundle.files) if (!blobs.has(file.sha256)) blobs.set(file.sha256, file);

    const missing = new Set<string>();
    const refs = [...blobs.values()].map((f) => ({ sha256: f.sha256, size: f.size }));
    for (let at = 0; at < refs.length; at += MISSING_BATCH) {
      const answer = await client.request('POST', '/blobs/missing', { body: { blobs: refs.slice(at, at + MISSING_BATCH) }, schema: missingBlobsSchema, signal });
      for (const sha of answer.missing) if (blobs.has(sha)) missing.add(sha);
    }

    const todo = [...missing].map((sha) => blobs.get(sha)!);
    const progress = new ProgressTally(options.onProgress, {
      sealTotal: todo.reduce((n, f) => n + f.size, 0),
      uploadTotal: todo.reduce((n, f) => n + ciphertextSize(f.size, recordSize), 0),
      blobs: blobs.size,
      missingBlobs: todo.length,
    });
    progress.emit();

    const tempDir = todo.length > 0 ? await mkdtemp(join(options.tempDir, 'cloudexport-upload-')) : null;
    try {
      const sender = new BlobSender(options, progress, new Limiter(concurrency), signal);
      await mapLimited(todo, concurrency, async (file) => {
        try {
          const sealed = await sealFile(file, { tempDir: tempDir!, recordSize, onBytes: (n) => progress.sealed(n), signal });
          try {
            await sender.send(sealed, file.path);
          } finally {
            sealed.key.fill(0); // the coordinator holds it now (wrapped); nothing here needs it again
            await rm(sealed.sealedPath, { force: true });
          }
        } catch (err) {
          inner.abort(err); // the bundle is incomplete anyway: stop the others
          throw err;
        }
      });
    } finally {
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    }

    const created = await client.request('POST', '/bundles', { body: { manifest: bundle.manifest }, schema: bundleSchema, signal });
    if (created.manifestId !== bundle.manifestId) {
      throw new UploadError(`The coordinator recorded manifest ${created.manifestId}, this client made ${bundle.manifestId}: they disagree on the manifest format. Update the CLI (or the coordinator).`);
    }
    return { bundle: created, uploaded: todo.map((f) => f.sha256), blobs: blobs.size };
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
}

class ProgressTally {
  readonly #state: UploadProgress;
  /** Sealed bytes each blob has in storage or on the way. */
  readonly #sent = new Map<string, number>();

  constructor(
    private readonly listener: UploadOptions['onProgress'],
    totals: Pick<UploadProgress, 'sealTotal' | 'uploadTotal' | 'blobs' | 'missingBlobs'>,
  ) {
    this.#state = { sealedBytes: 0, uploadedBytes: 0, ...totals };
  }

  emit(): void {
    this.listener?.({ ...this.#state });
  }

  sealed(n: number): void {
    this.#state.sealedBytes += n;
    this.emit();
  }

  /** Sets what a blob has in storage (from the coordinator's plan), dropping bytes of failed requests. */
  setSent(sha256: string, bytes: number): void {
    this.#state.uploadedBytes += bytes - (this.#sent.get(sha256) ?? 0);
    this.#sent.set(sha256, bytes);
    this.emit();
  }

  addSent(sha256: string, n: number): void {
    this.setSent(sha256, (this.#sent.get(sha256) ?? 0) + n);
  }
}

class BlobSender {
  constructor(
    private readonly options: UploadOptions,
    private readonly progress: ProgressTally,
    private readonly requests: Limiter,
    private readonly signal: AbortSignal,
  ) {}

  /** Sends one sealed blob; each retry asks the coordinator again, which re-signs only what is still missing. */
  async send(sealed: SealedBlob, path: string): Promise<void> {
    const { client } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 6;
    const body: StartBlobUploadBody = {
      sha256: sealed.sha256,
      size: sealed.size,
      sealedSize: sealed.sealedSize,
      recordSize: sealed.recordSize,
      key: Buffer.from(sealed.key).toString('base64'),
    };
    let last: Error | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      if (attempt > 1) await this.#backoff(attempt - 1);
      try {
        const plan = await client.request('POST', '/blobs', { body, schema: blobUploadSchema, signal: this.signal });
        if (plan.kind === 'stored') {
          this.progress.setSent(sealed.sha256, sealed.sealedSize);
          return;
        }
        await this.#sendPlan(plan, sealed, path);
        await client.request('POST', `/blobs/${sealed.sha256}/complete`, { schema: blobSchema, signal: this.signal });
        this.progress.setSent(sealed.sha256, sealed.sealedSize);
        return;
      } catch (err) {
        if (this.signal.aborted || !isRetryable(err)) throw err;
        last = err as Error;
      }
    }
    throw new UploadError(`Could not upload ${path} after ${maxAttempts} tries (last: ${last?.message}). Check your connection and export again.`);
  }

  async #sendPlan(plan: Exclude<BlobUpload, { kind: 'stored' }>, sealed: SealedBlob, path: string): Promise<void> {
    const put = (request: Parameters<typeof putSigned>[0], offset: number, size: number) =>
      this.requests.run(async () => {
        let sent = 0;
        try {
          await putSigned(request, { file: sealed.sealedPath, offset, size }, {
            onBytes: (n) => {
              sent += n;
              this.progress.addSent(sealed.sha256, n);
            },
            signal: this.signal,
            ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
          });
        } catch (err) {
          this.progress.addSent(sealed.sha256, -sent);
          throw err;
        }
      });

    if (plan.kind === 'single') {
      this.progress.setSent(sealed.sha256, 0);
      await put(plan.request, 0, sealed.sealedSize);
      return;
    }
    const { partSize, parts } = plan;
    const partCount = partSize > 0 ? Math.ceil(sealed.sealedSize / partSize) : 0;
    for (const part of parts) {
      const offset = (part.partNumber - 1) * partSize;
      if (partSize < 1 || part.partNumber > partCount || part.size !== Math.min(partSize, sealed.sealedSize - offset)) {
        throw new UploadError(`The coordinator planned part ${part.partNumber} of ${path} as ${part.size} bytes of ${partSize}, which does not fit its ${sealed.sealedSize} sealed bytes: the coordinator and this client disagree. Update the CLI.`);
      }
    }
    // what is not listed is stored already
    this.progress.setSent(sealed.sha256, sealed.sealedSize - parts.reduce((n, p) => n + p.size, 0));
    const results = await Promise.allSettled(parts.map((part) => put(part, (part.partNumber - 1) * partSize, part.size)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async #backoff(retry: number): Promise<void> {
    const base = this.options.retryDelayMs ?? 500;
    const max = this.options.maxRetryDelayMs ?? 30_000;
    const ms = Math.min(max, base * 2 ** (retry - 1)) * (0.5 + Math.random() / 2);
    await new Promise<void>((done, fail) => {
      const abort = () => {
        clearTimeout(timer);
        fail(this.signal.reason);
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', abort);
        done();
      }, ms);
      this.signal.addEventListener('abort', abort, { once: true });
    });
  }
}

/** Worth another round: the connection dropped, storage or the coordinator had trouble, a link expired, or the upload was incomplete. */
function isRetryable(err: unknown): boolean {
  if (err instanceof TransferError) return err.retryable;
  // 409: parts missing at completion; size_mismatch: what arrived was dropped, a fresh link sends it again
  if (err instanceof ApiRequestError) return err.retryable || err.status === 409 || err.details.reason === 'size_mismatch';
  return false;
}
