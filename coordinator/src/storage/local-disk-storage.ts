import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent } from 'node:fs';
import { mkdir, open, opendir, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { systemClock, type Clock } from '../clock.js';
import { checkFileName } from './content-disposition.js';
import { writeExactly } from './exact-size-write.js';
import { LocalUrlSigner, type LocalGrant } from './local-url-signer.js';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  StorageError,
  StorageErrorCode,
  type ByteRange,
  type MultipartPlan,
  type MultipartUpload,
  type ObjectStorage,
  type PartRequest,
  type SignedRequest,
  type StoredObject,
  type UploadedPart,
} from './object-storage.js';
import { assertValidKey, assertValidPrefix } from './storage-key.js';
import { checkObjectSize, checkSingleUploadSize, checkTtl, incompleteUpload, missingParts, planParts, selectParts, sizeMismatch, confirmUploadSize } from './upload-limits.js';

export interface LocalDiskStorageOptions {
  /** Folder for objects, uploads in progress and temp files (e.g. `<dataDir>/storage`); created if absent. */
  root: string;
  /** Key for the HMAC over signed URLs; at least 16 bytes, kept with the coordinator's secrets. */
  secret: string | Buffer;
  /** The coordinator's URL as clients reach it; a function when it is known only after listen (port 0). */
  publicBaseUrl: string | (() => string);
  /** Default: the system clock. */
  clock?: Clock;
  /** Largest object accepted. Default DEFAULT_MAX_UPLOAD_BYTES (50 GiB). */
  maxUploadBytes?: number;
}

/** The path under which `localStorageRoutes` serves signed URLs. */
export const LOCAL_STORAGE_PATH = '/storage/';

/** A file opened for a download; the caller closes `handle` or hands it to a stream. */
export interface OpenObject {
  handle: FileHandle;
  size: number;
  lastModified: Date;
}

interface UploadRecord {
  key: string;
  size: number;
  partSize: number;
  startedAt: string;
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;
const PART_FILE = /^part-(\d{5})$/;

/**
 * Objects as files under `<root>/objects/<key>`. A write goes to `<root>/tmp/` and is renamed
 * into place only when it has exactly the declared size, so a reader never sees half an
 * object and a refused upload leaves nothing. Multipart uploads keep their parts in
 * `<root>/uploads/<uploadId>/` until they are assembled.
 */
export class LocalDiskStorage implements ObjectStorage {
  readonly kind = 'local' as const;
  readonly maxUploadBytes: number;
  readonly #objects: string;
  readonly #uploads: string;
  readonly #tmp: string;
  readonly #signer: LocalUrlSigner;
  readonly #baseUrl: () => string;
  readonly #clock: Clock;

  constructor(options: LocalDiskStorageOptions) {
    this.#objects = join(options.root, 'objects');
    this.#uploads = join(options.root, 'uploads');
    this.#tmp = join(options.root, 'tmp');
    this.#signer = new LocalUrlSigner(options.secret);
    const base = options.publicBaseUrl;
    this.#baseUrl = typeof base === 'function' ? () => base().replace(/\/+$/, '') : () => base.replace(/\/+$/, '');
    this.#clock = options.clock ?? systemClock;
    this.maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  }

  async createUploadUrl(key: string, options: { size: number; ttlMs?: number }): Promise<SignedRequest> {
    assertValidKey(key);
    checkSingleUploadSize(options.size, this.maxUploadBytes);
    const expiresAt = this.#expiry(options.ttlMs);
    return { method: 'PUT', url: this.#url({ op: 'put', key, expiresAt, size: options.size }), headers: {}, expiresAt };
  }

  confirmUpload(key: string, size: number): Promise<StoredObject> {
    return confirmUploadSize(this, key, size);
  }

  async startMultipart(key: string, options: MultipartPlan & { ttlMs?: number }): Promise<MultipartUpload> {
    assertValidKey(key);
    planParts(options, this.maxUploadBytes);
    const uploadId = randomBytes(16).toString('hex');
    const record: UploadRecord = { key, size: options.size, partSize: options.partSize, startedAt: this.#clock.now().toISOString() };
    await mkdir(join(this.#uploads, uploadId), { recursive: true });
    await writeFile(join(this.#uploads, uploadId, 'upload.json'), JSON.stringify(record));
    return { uploadId, parts: await this.signParts(key, uploadId, options) };
  }

  async signParts(key: string, uploadId: string, options: MultipartPlan & { partNumbers?: number[]; ttlMs?: number }): Promise<PartRequest[]> {
    const record = await this.#upload(key, uploadId);
    checkSamePlan(record, options);
    const expiresAt = this.#expiry(options.ttlMs);
    return selectParts(planParts(options, this.maxUploadBytes), options.partNumbers).map((p) => ({
      method: 'PUT',
      url: this.#url({ op: 'part', key, expiresAt, size: p.size, uploadId, partNumber: p.partNumber }),
      headers: {},
      expiresAt,
      partNumber: p.partNumber,
      size: p.size,
    }));
  }

  async listUploadedParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    await this.#upload(key, uploadId);
    const dir = join(this.#uploads, uploadId);
    const parts: UploadedPart[] = [];
    for (const name of await readdir(dir)) {
      const match = PART_FILE.exec(name);
      if (!match) continue;
      const s = await stat(join(dir, name)).catch(() => null);
      if (!s?.isFile()) continue;
      parts.push({ partNumber: Number(match[1]), size: s.size, etag: `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"` });
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, uploadId: string, plan: MultipartPlan): Promise<StoredObject> {
    const record = await this.#upload(key, uploadId);
    checkSamePlan(record, plan);
    const planned = planParts(plan, this.maxUploadBytes);
    const missing = missingParts(planned, await this.listUploadedParts(key, uploadId));
    if (missing.length > 0) throw incompleteUpload(key, missing);
    const dir = join(this.#uploads, uploadId);
    const tmp = await this.#tempPath();
    try {
      await pipeline(async function* () {
        for (const part of planned) yield* createReadStream(join(dir, partFile(part.partNumber)));
      }, createWriteStream(tmp, { flags: 'wx' }));
      const written = (await stat(tmp)).size;
      if (written !== plan.size) throw sizeMismatch(key, plan.size, written);
      await this.#moveIntoPlace(tmp, key);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await rm(dir, { recursive: true, force: true });
    return (await this.head(key))!;
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.#upload(key, uploadId);
    } catch (err) {
      if (err instanceof StorageError && err.code === StorageErrorCode.notFound) return;
      throw err;
    }
    await rm(join(this.#uploads, uploadId), { recursive: true, force: true });
  }

  async createDownloadUrl(key: string, options: { ttlMs?: number; fileName?: string } = {}): Promise<SignedRequest> {
    assertValidKey(key);
    if (options.fileName !== undefined) checkFileName(options.fileName);
    const expiresAt = this.#expiry(options.ttlMs);
    const grant: LocalGrant = options.fileName === undefined ? { op: 'get', key, expiresAt } : { op: 'get', key, expiresAt, fileName: options.fileName };
    return { method: 'GET', url: this.#url(grant), headers: {}, expiresAt };
  }

  async head(key: string): Promise<StoredObject | null> {
    assertValidKey(key);
    const s = await stat(this.#objectPath(key)).catch(nullIfMissing);
    return s?.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await unlink(this.#objectPath(key));
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await this.#pruneEmptyFolders(dirname(this.#objectPath(key)));
  }

  async *listOlderThan(prefix: string, before: Date): AsyncIterable<StoredObject> {
    assertValidPrefix(prefix);
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    for await (const key of this.#walk(folder)) {
      if (!key.startsWith(prefix)) continue;
      const s = await stat(this.#objectPath(key)).catch(nullIfMissing);
      if (s?.isFile() && s.mtime.getTime() < before.getTime()) yield { key, size: s.size, lastModified: s.mtime };
    }
  }

  async putStream(key: string, body: Readable, options: { size?: number } = {}): Promise<StoredObject> {
    assertValidKey(key);
    if (options.size !== undefined) checkObjectSize(options.size, this.maxUploadBytes);
    await this.#receive(key, body, options.size, (tmp) => this.#moveIntoPlace(tmp, key));
    return (await this.head(key))!;
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const found = await this.open(key);
    if (!found) throw new StorageError(StorageErrorCode.notFound, `No object ${key} in storage.`, { key });
    const start = range?.start ?? 0;
    const end = range?.end ?? found.size - 1;
    if (range && (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end >= found.size)) {
      await found.handle.close();
      throw new StorageError(StorageErrorCode.invalidRange, `Range ${start}-${end} is outside ${key} (${found.size} bytes).`, { size: found.size });
    }
    if (found.size === 0) {
      await found.handle.close();
      return Readable.from([]);
    }
    return found.handle.createReadStream({ start, end });
  }

  async abortIncompleteUploads(startedBefore: Date): Promise<number> {
    let dropped = 0;
    for (const id of await readdir(this.#uploads).catch(() => [] as string[])) {
      const record = await readRecord(join(this.#uploads, id)).catch(() => null);
      const startedAt = record ? Date.parse(record.startedAt) : (await stat(join(this.#uploads, id)).catch(() => null))?.mtimeMs;
      if (startedAt !== undefined && startedAt < startedBefore.getTime()) {
        await rm(join(this.#uploads, id), { recursive: true, force: true });
        dropped += 1;
      }
    }
    for (const name of await readdir(this.#tmp).catch(() => [] as string[])) {
      const s = await stat(join(this.#tmp, name)).catch(() => null);
      if (s && s.mtimeMs < startedBefore.getTime()) {
        await unlink(join(this.#tmp, name)).catch(() => undefined);
        dropped += 1;
      }
    }
    return dropped;
  }

  // ---- used by localStorageRoutes ----

  /** The grant a request's signed URL carries; throws SignatureRefused. */
  authorize(method: string, key: string, search: URLSearchParams): LocalGrant {
    return this.#signer.verify(method, key, search, this.#clock.now());
  }

  /** Opens an object for reading, or null when it does not exist. */
  async open(key: string): Promise<OpenObject | null> {
    assertValidKey(key);
    let handle: FileHandle;
    try {
      handle = await open(this.#objectPath(key), 'r');
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') return null;
      throw err;
    }
    const s = await handle.stat();
    if (!s.isFile()) {
      await handle.close();
      return null;
    }
    return { handle, size: s.size, lastModified: s.mtime };
  }

  /** Stores the body of a signed single upload; exactly `grant.size` bytes or nothing. */
  async receiveUpload(grant: Extract<LocalGrant, { op: 'put' }>, body: Readable): Promise<StoredObject> {
    await this.#receive(grant.key, body, grant.size, (tmp) => this.#moveIntoPlace(tmp, grant.key));
    return (await this.head(grant.key))!;
  }

  /** Stores one part of a multipart upload; a part sent again replaces the earlier one. */
  async receivePart(grant: Extract<LocalGrant, { op: 'part' }>, body: Readable): Promise<UploadedPart> {
    const record = await this.#upload(grant.key, grant.uploadId);
    const planned = planParts(record, Number.MAX_SAFE_INTEGER)[grant.partNumber - 1];
    if (!planned || planned.size !== grant.size) {
      throw new StorageError(StorageErrorCode.invalidRequest, `Part ${grant.partNumber} is not part of upload ${grant.uploadId}.`);
    }
    const target = join(this.#uploads, grant.uploadId, partFile(grant.partNumber));
    await this.#receive(grant.key, body, grant.size, async (tmp) => {
      await rename(tmp, target).catch((err: unknown) => {
        // aborted while this part was on its way
        if (isMissing(err)) throw new StorageError(StorageErrorCode.notFound, `Upload ${grant.uploadId} of ${grant.key} was aborted; start a new one.`);
        throw err;
      });
    });
    const parts = await this.listUploadedParts(grant.key, grant.uploadId);
    return parts.find((p) => p.partNumber === grant.partNumber)!;
  }

  // ---- internals ----

  /** Writes `body` to a temp file of exactly `expected` bytes (at most the max when undeclared), then `place`s it. */
  async #receive(key: string, body: Readable, expected: number | undefined, place: (tmp: string) => Promise<void>): Promise<void> {
    const tmp = await this.#tempPath();
    await writeExactly(body, tmp, { key, expected, limit: this.maxUploadBytes });
    try {
      await place(tmp);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  async #moveIntoPlace(tmp: string, key: string): Promise<void> {
    const target = this.#objectPath(key);
    for (let attempt = 0; ; attempt += 1) {
      try {
        await mkdir(dirname(target), { recursive: true });
        await rename(tmp, target);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // a concurrent delete may prune the folder between mkdir and rename
        if (code === 'ENOENT' && attempt === 0) continue;
        if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOTEMPTY') {
          throw new StorageError(StorageErrorCode.invalidKey, `Key ${key} clashes with another object: on local storage a key cannot also be a folder of other keys.`, { key });
        }
        throw err;
      }
    }
  }

  async #pruneEmptyFolders(folder: string): Promise<void> {
    for (let dir = folder; dir.startsWith(this.#objects + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }

  async *#walk(folder: string): AsyncGenerator<string> {
    let dir;
    try {
      dir = await opendir(join(this.#objects, folder));
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    const entries: Dirent[] = [];
    for await (const entry of dir) entries.push(entry);
    for (const entry of entries) {
      if (entry.isDirectory()) yield* this.#walk(`${folder}${entry.name}/`);
      else if (entry.isFile()) yield `${folder}${entry.name}`;
    }
  }

  async #upload(key: string, uploadId: string): Promise<UploadRecord> {
    assertValidKey(key);
    const notFound = new StorageError(StorageErrorCode.notFound, `No upload ${String(uploadId).slice(0, 40)} in progress for ${key}; start a new one.`, { key, uploadId });
    if (!UPLOAD_ID.test(uploadId)) throw notFound;
    const record = await readRecord(join(this.#uploads, uploadId)).catch(nullIfMissing);
    if (!record || record.key !== key) throw notFound;
    return record;
  }

  async #tempPath(): Promise<string> {
    await mkdir(this.#tmp, { recursive: true });
    return join(this.#tmp, `${randomUUID()}.tmp`);
  }

  #objectPath(key: string): string {
    return join(this.#objects, ...key.split('/'));
  }

  #expiry(ttlMs: number | undefined): Date {
    return new Date(this.#clock.now().getTime() + checkTtl(ttlMs));
  }

  #url(grant: LocalGrant): string {
    return `${this.#baseUrl()}${LOCAL_STORAGE_PATH}${grant.key}?${this.#signer.sign(grant)}`;
  }
}

function partFile(partNumber: number): string {
  return `part-${String(partNumber).padStart(5, '0')}`;
}

async function readRecord(dir: string): Promise<UploadRecord> {
  return JSON.parse(await readFile(join(dir, 'upload.json'), 'utf8')) as UploadRecord;
}

function checkSamePlan(record: UploadRecord, plan: MultipartPlan): void {
  if (record.size !== plan.size || record.partSize !== plan.partSize) {
    throw new StorageError(
      StorageErrorCode.invalidRequest,
      `This upload was started as ${record.size} bytes in ${record.partSize}-byte parts, not ${plan.size} in ${plan.partSize}.`,
    );
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** For `.catch`: null when the file is not there, the error rethrown otherwise. */
function nullIfMissing(err: unknown): null {
  if (isMissing(err)) return null;
  throw err;
}
