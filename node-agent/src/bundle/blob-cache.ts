// The node's cache of decrypted bundle blobs, named by the sha256 of their plaintext, so a bundle
// (or any file two bundles share) is downloaded once per node, not once per chunk.
//
//   <dir>/blobs/<sha256>   verified plaintext, read-only (work folders hard-link to it)
//   <dir>/tmp/             downloads in progress; emptied when the cache opens
//   <dir>/bundles.json     bundle id → its blobs, newest first (what hello's cachedBundles reports)
//
// A blob's mtime is its last use, so least-recently-used order survives a restart.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Default size cap: 20 GB. */
export const DEFAULT_CACHE_BYTES = 20 * 1024 ** 3;
/** Bundles hello can report. */
export const MAX_CACHED_BUNDLES = 50;
const REMEMBERED_BUNDLES = 100;
const SHA256 = /^[0-9a-f]{64}$/;
const BUNDLES_FILE = 'bundles.json';

export interface BlobCacheOptions {
  /** The cache folder, usually `<agent home>/cache`. */
  dir: string;
  /** Size cap in bytes; default DEFAULT_CACHE_BYTES. Blobs in use may hold it above the cap until released. */
  capBytes?: number;
  /** Told when blobs in use keep the cache over its cap. */
  onOverCap?: (usedBytes: number, capBytes: number) => void;
}

export interface CacheUsage {
  dir: string;
  blobs: number;
  usedBytes: number;
  capBytes: number;
}

interface Entry {
  size: number;
  usedAt: number;
}

interface BundleEntry {
  id: string;
  blobs: string[];
  usedAt: number;
}

export class BlobIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobIntegrityError';
  }
}

function assertSha(sha: string): void {
  if (!SHA256.test(sha)) throw new Error(`"${sha}" is not a sha256 (64 lower-case hex digits).`);
}

async function blobEntries(blobsDir: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  const names = await readdir(blobsDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!SHA256.test(name)) continue;
    const info = await stat(join(blobsDir, name)).catch(() => null);
    if (info?.isFile()) entries.set(name, { size: info.size, usedAt: info.mtimeMs });
  }
  return entries;
}

/**
 * Plaintext blobs by sha256 under a size cap, evicting the least recently used first but never a
 * blob pinned by a running chunk. A blob enters only through `add`, whose writer must have checked
 * its hash; it is written to a temp file and renamed into place, so a crash leaves no half blob.
 */
export class BlobCache {
  readonly dir: string;
  readonly capBytes: number;
  private readonly blobsDir: string;
  private readonly tmpDir: string;
  private readonly entries: Map<string, Entry>;
  private readonly pins = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private bundles: BundleEntry[];
  private used: number;
  private reserved = 0;
  private bundlesWrite: Promise<void> = Promise.resolve();
  private readonly onOverCap: BlobCacheOptions['onOverCap'];

  private constructor(options: BlobCacheOptions, entries: Map<string, Entry>, bundles: BundleEntry[]) {
    this.dir = options.dir;
    this.capBytes = options.capBytes ?? DEFAULT_CACHE_BYTES;
    this.blobsDir = join(options.dir, 'blobs');
    this.tmpDir = join(options.dir, 'tmp');
    this.entries = entries;
    this.bundles = bundles;
    this.used = [...entries.values()].reduce((sum, e) => sum + e.size, 0);
    this.onOverCap = options.onOverCap;
  }

  /** Opens (or creates) the cache: drops unfinished downloads, rebuilds the index from the folder, trims to the cap. */
  static async open(options: BlobCacheOptions): Promise<BlobCache> {
    if (options.capBytes !== undefined && !(options.capBytes >= 0)) throw new Error(`Cache cap ${options.capBytes} is not a size in bytes.`);
    await mkdir(join(options.dir, 'blobs'), { recursive: true });
    await rm(join(options.dir, 'tmp'), { recursive: true, force: true, maxRetries: 3 });
    await mkdir(join(options.dir, 'tmp'), { recursive: true });
    const entries = await blobEntries(join(options.dir, 'blobs'));
    const cache = new BlobCache(options, entries, await readBundles(options.dir));
    await cache.trim();
    return cache;
  }

  /** What the cache folder holds, read without opening it (doctor runs beside a live daemon). */
  static async usage(dir: string, capBytes = DEFAULT_CACHE_BYTES): Promise<CacheUsage> {
    const entries = await blobEntries(join(dir, 'blobs'));
    return { dir, blobs: entries.size, usedBytes: [...entries.values()].reduce((sum, e) => sum + e.size, 0), capBytes };
  }

  get usedBytes(): number {
    return this.used;
  }

  get blobCount(): number {
    return this.entries.size;
  }

  has(sha: string): boolean {
    return this.entries.has(sha);
  }

  /** Where blob `sha` lives (whether or not it is there). */
  path(sha: string): string {
    assertSha(sha);
    return join(this.blobsDir, sha);
  }

  /**
   * Whether blob `sha` is cached with `size` bytes; marks it used. A cached file of another size
   * (damaged on disk) is dropped, so the caller downloads it again.
   */
  async lookup(sha: string, size: number): Promise<boolean> {
    const entry = this.entries.get(sha);
    if (!entry) return false;
    const info = await stat(this.path(sha)).catch(() => null);
    if (!info?.isFile() || info.size !== size) {
      await this.evict(sha);
      return false;
    }
    await this.touch(sha);
    return true;
  }

  /** Marks a blob used now (memory and mtime). */
  async touch(sha: string): Promise<void> {
    const entry = this.entries.get(sha);
    if (!entry) return;
    const now = Date.now();
    entry.usedAt = now;
    await utimes(this.path(sha), now / 1000, now / 1000).catch(() => undefined);
  }

  /** Keeps `shas` from eviction until the returned release is called (once is enough). */
  pin(shas: Iterable<string>): () => void {
    const held = [...new Set(shas)];
    for (const sha of held) this.pins.set(sha, (this.pins.get(sha) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const sha of held) {
        const n = (this.pins.get(sha) ?? 1) - 1;
        if (n > 0) this.pins.set(sha, n);
        else this.pins.delete(sha);
      }
      void this.trim();
    };
  }

  /**
   * Adds blob `sha` of `size` bytes: `write` fills the temp path it is given and must throw unless
   * the bytes it wrote hash to `sha`. Concurrent adds of one blob share a single write.
   */
  add(sha: string, size: number, write: (tempPath: string) => Promise<void>): Promise<void> {
    assertSha(sha);
    const running = this.inFlight.get(sha);
    if (running) return running;
    const adding = this.addNow(sha, size, write).finally(() => this.inFlight.delete(sha));
    this.inFlight.set(sha, adding);
    return adding;
  }

  private async addNow(sha: string, size: number, write: (tempPath: string) => Promise<void>): Promise<void> {
    if (this.entries.has(sha)) return;
    await this.makeRoom(size);
    this.reserved += size;
    const temp = join(this.tmpDir, `${sha}.${randomBytes(6).toString('hex')}.part`);
    try {
      await write(temp);
      const info = await stat(temp);
      if (info.size !== size) throw new BlobIntegrityError(`Blob ${sha} came out at ${info.size} bytes, not the ${size} the manifest says.`);
      // read-only: work folders hard-link to it, and nothing may write through a link into the cache
      await chmod(temp, 0o444);
      await rename(temp, this.path(sha));
      this.entries.set(sha, { size, usedAt: Date.now() });
      this.used += size;
    } finally {
      this.reserved -= size;
      await rm(temp, { force: true });
    }
    await this.trim();
  }

  /** Evicts least recently used, unpinned blobs until `bytes` more fit under the cap (as far as possible). */
  private async makeRoom(bytes: number): Promise<void> {
    for (const sha of this.evictionOrder()) {
      if (this.used + this.reserved + bytes <= this.capBytes) return;
      await this.evict(sha);
    }
    if (this.used + this.reserved + bytes > this.capBytes) this.onOverCap?.(this.used + this.reserved + bytes, this.capBytes);
  }

  /** Evicts down to the cap; blobs in use stay. */
  async trim(): Promise<void> {
    await this.makeRoom(0);
  }

  private evictionOrder(): string[] {
    return [...this.entries]
      .filter(([sha]) => !this.pins.has(sha))
      .sort((a, b) => a[1].usedAt - b[1].usedAt)
      .map(([sha]) => sha);
  }

  private async evict(sha: string): Promise<void> {
    const entry = this.entries.get(sha);
    if (!entry) return;
    this.entries.delete(sha);
    this.used -= entry.size;
    await rm(this.path(sha), { force: true, maxRetries: 3 });
  }

  /** Remembers which blobs make bundle `id` (newest first), for hello's cachedBundles. */
  rememberBundle(id: string, shas: Iterable<string>): Promise<void> {
    const blobs = [...new Set(shas)].sort();
    this.bundles = [{ id, blobs, usedAt: Date.now() }, ...this.bundles.filter((b) => b.id !== id)].slice(0, REMEMBERED_BUNDLES);
    const snapshot = JSON.stringify({ version: 1, bundles: this.bundles });
    this.bundlesWrite = this.bundlesWrite.then(() => writeAtomic(join(this.dir, BUNDLES_FILE), snapshot)).catch(() => undefined);
    return this.bundlesWrite;
  }

  /** Bundles whose every blob is cached, newest first. */
  cachedBundles(limit = MAX_CACHED_BUNDLES): string[] {
    return this.bundles.filter((b) => b.blobs.every((sha) => this.entries.has(sha))).slice(0, limit).map((b) => b.id);
  }
}

async function readBundles(dir: string): Promise<BundleEntry[]> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, BUNDLES_FILE), 'utf8')) as { bundles?: unknown };
    if (!Array.isArray(parsed.bundles)) return [];
    return parsed.bundles.filter(
      (b): b is BundleEntry =>
        typeof b === 'object' && b !== null && typeof (b as BundleEntry).id === 'string' && Array.isArray((b as BundleEntry).blobs) && (b as BundleEntry).blobs.every((s) => typeof s === 'string' && SHA256.test(s)),
    );
  } catch {
    return []; // missing or damaged: the index only steers scheduling, so start afresh
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}
