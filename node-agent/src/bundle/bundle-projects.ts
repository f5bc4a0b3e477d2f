// The default project source: the chunk's encrypted bundle, opened through the coordinator
// (bundle:open → a ticket of signed URLs and content keys sealed to this node), fetched into the
// blob cache, laid out in the chunk's work folder and relinked.
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { BundleCryptoError, openSealedKey, type BundleTicket } from '@cloudexport/shared';
import type { PrepareContext, PreparedProject, ProjectSource } from '../daemon/project-source.js';
import { BlobIntegrityError, type BlobCache } from './blob-cache.js';
import { downloadBlob, type BlobSource } from './blob-download.js';
import { BundleExtractError, extractBundle } from './extract-bundle.js';
import { mapLimit } from './map-limit.js';
import { relinkProject, type RelinkAep } from './relink-project.js';
import { TransferRefusedError, TransientTransferError, type RetryOptions } from './signed-request.js';

export interface BundleProjectsOptions {
  cache: BlobCache;
  /** This node's X25519 secret key (the identity's box.secretKey): content keys are sealed to it. */
  boxSecretKey: Uint8Array;
  /** Blobs fetched at once; default 3. */
  downloadParallel?: number;
  /** Download retries; default 4 tries from 500 ms. */
  retry?: Omit<RetryOptions, 'signal'>;
  /** Rewrites footage paths; default shared's relinkAep. */
  relinkAep?: RelinkAep;
}

/** The ticket or the project cannot be used as sent. */
class BundleRefusedError extends Error {}

/** Why preparing failed, in words for the chunk's failure report. */
function describe(err: unknown): string {
  if (err instanceof BundleCryptoError || err instanceof BlobIntegrityError || err instanceof BundleExtractError || err instanceof TransferRefusedError || err instanceof BundleRefusedError) return err.message;
  if (err instanceof TransientTransferError) return `The bundle could not be downloaded (${err.message}). The chunk will be retried.`;
  return `Preparing the bundle failed: ${(err as Error).message ?? String(err)}`;
}

/** Checks the ticket covers every manifest file with a blob of the same size; returns the blobs the manifest uses, by sha256. */
function blobsOf(ticket: BundleTicket): Map<string, BundleTicket['blobs'][number]> {
  const offered = new Map<string, BundleTicket['blobs'][number]>();
  for (const blob of ticket.blobs) {
    const seen = offered.get(blob.sha256);
    if (seen && (seen.size !== blob.size || seen.sealedSize !== blob.sealedSize)) throw new BundleRefusedError(`The bundle ticket lists blob ${blob.sha256.slice(0, 12)} twice with different sizes.`);
    offered.set(blob.sha256, blob);
  }
  const used = new Map<string, BundleTicket['blobs'][number]>();
  for (const file of ticket.manifest.files) {
    const blob = offered.get(file.sha256);
    if (!blob) throw new BundleRefusedError(`The bundle ticket has no blob for "${file.path}" (${file.sha256.slice(0, 12)}).`);
    if (blob.size !== file.size) throw new BundleRefusedError(`The bundle ticket says "${file.path}" is ${blob.size} bytes; its manifest says ${file.size}.`);
    used.set(file.sha256, blob);
  }
  return used;
}

export class BundleProjects implements ProjectSource {
  constructor(private readonly options: BundleProjectsOptions) {}

  async prepare(ctx: PrepareContext): Promise<PreparedProject | { error: string }> {
    const { cache } = this.options;
    if (!ctx.assignment.bundle) return { error: 'The job names no bundle, so there is no project to render.' };
    const answer = await ctx.openBundle();
    if (!answer.ok) return { error: `The coordinator would not open the bundle: ${answer.message}` };
    const ticket = answer.ticket;
    let blobs: Map<string, BundleTicket['blobs'][number]>;
    try {
      blobs = blobsOf(ticket);
    } catch (err) {
      return { error: describe(err) };
    }
    const release = cache.pin(blobs.keys());
    try {
      const missing: BundleTicket['blobs'][number][] = [];
      for (const blob of blobs.values()) if (!(await cache.lookup(blob.sha256, blob.size))) missing.push(blob);
      // every key opens before a byte is fetched: a ticket sealed for another node fails at once
      const sources: BlobSource[] = missing.map((b) => ({ sha256: b.sha256, size: b.size, sealedSize: b.sealedSize, key: openKey(b.sealedKey, this.options.boxSecretKey), request: b.request }));
      await this.checkRoom(sources);
      await this.download(sources, ctx);
      const extracted = await extractBundle(ticket.manifest, path.join(ctx.chunkDir, 'bundle'), (sha) => cache.path(sha));
      const projectPath = await this.relink(extracted.projectPath, ticket, extracted.files, ctx);
      // only a bundle that laid out cleanly is worth steering its next chunks here
      await cache.rememberBundle(ticket.bundleId, blobs.keys());
      return { projectPath, release };
    } catch (err) {
      release();
      return { error: describe(err) };
    }
  }

  /** Fails early, and clearly, when the blobs to fetch cannot fit on the cache's drive. */
  private async checkRoom(sources: BlobSource[]): Promise<void> {
    const needed = sources.reduce((sum, s) => sum + s.size, 0);
    if (needed === 0) return;
    const disk = await statfs(this.options.cache.dir).catch(() => null);
    if (!disk) return;
    const free = disk.bavail * disk.bsize;
    // evicting older blobs can free up to what the cache holds
    if (free + this.options.cache.usedBytes < needed) {
      const gb = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GB`;
      throw new BundleRefusedError(`This node has ${gb(free)} free in ${this.options.cache.dir} but the bundle needs ${gb(needed)} more. Free space on that drive, or lower the cache cap (--cache-gb) so old bundles are evicted.`);
    }
  }

  private async download(sources: BlobSource[], ctx: PrepareContext): Promise<void> {
    const total = sources.reduce((sum, s) => sum + s.sealedSize, 0);
    let done = 0;
    ctx.onDownload(0, total);
    if (sources.length === 0) return ctx.log.info({ blobs: 0 }, 'bundle already cached: nothing to download');
    ctx.log.info({ blobs: sources.length, bytes: total }, 'downloading the bundle');
    // one failed blob stops the others: the chunk fails either way
    const stop = new AbortController();
    const signal = AbortSignal.any([ctx.signal, stop.signal]);
    await mapLimit(sources, this.options.downloadParallel ?? 3, async (source) => {
      try {
        await this.options.cache.add(source.sha256, source.size, (temp) =>
          downloadBlob(source, temp, {
            ...this.options.retry,
            signal,
            onBytes: (n) => {
              done += n;
              ctx.onDownload(done, total);
            },
          }),
        );
      } catch (err) {
        stop.abort(err);
        throw err;
      }
    });
  }

  private async relink(projectPath: string, ticket: BundleTicket, placed: Map<string, string>, ctx: PrepareContext): Promise<string> {
    if (!ticket.manifest.files.some((f) => f.originalPath)) return projectPath;
    const result = await relinkProject(projectPath, ticket.manifest.files, placed, this.options.relinkAep).catch((err: Error) => {
      throw new BundleRefusedError(`The project ${ticket.manifest.project.path} could not be relinked to the bundle folder: ${err.message}`);
    });
    ctx.log.info({ relinked: result.relinked.length, unchanged: result.unchanged.length }, 'footage relinked into the bundle folder');
    if (result.unchanged.length > 0) {
      const listed = result.unchanged.slice(0, 5).join(', ');
      ctx.onWarning(`${result.unchanged.length} footage path(s) match no file in the bundle and stay as the artist saved them: ${listed}${result.unchanged.length > 5 ? ', …' : ''}. aerender will report them missing unless they are reachable from this node.`);
    }
    return result.projectPath;
  }
}

function openKey(sealedKey: string, secretKey: Uint8Array): Uint8Array {
  return openSealedKey(new Uint8Array(Buffer.from(sealedKey, 'base64')), secretKey);
}
