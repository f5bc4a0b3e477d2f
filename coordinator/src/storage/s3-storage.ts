import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  paginateListParts,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Transform, type Readable } from 'node:stream';
import { systemClock, type Clock } from '../clock.js';
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
import { contentDisposition } from './content-disposition.js';
import { assertValidKey, assertValidPrefix } from './storage-key.js';
import { checkObjectSize, checkSingleUploadSize, checkTtl, incompleteUpload, missingParts, planParts, selectParts, sizeMismatch, confirmUploadSize } from './upload-limits.js';

export interface S3StorageOptions {
  bucket: string;
  /** Default `us-east-1`. */
  region?: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver); absent for AWS itself. */
  endpoint?: string;
  /** `bucket` in the path instead of the host name; needed by most S3-compatible servers. Default false. */
  forcePathStyle?: boolean;
  /** Absent: the AWS SDK's default provider chain (its environment variables, instance role, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Signs URLs at this clock's time. Default: the system clock. */
  clock?: Clock;
  /** Largest object accepted. Default DEFAULT_MAX_UPLOAD_BYTES (50 GiB). */
  maxUploadBytes?: number;
}

/**
 * Objects in one S3 bucket, handed to clients as SigV4 presigned URLs. Single PUTs and part
 * PUTs sign Content-Length, so S3 itself refuses a body of another size; `confirmUpload` and
 * `completeMultipart` check sizes again because S3-compatible servers may not verify signatures.
 */
export class S3Storage implements ObjectStorage {
  readonly kind = 's3' as const;
  readonly maxUploadBytes: number;
  readonly client: S3Client;
  readonly #bucket: string;
  readonly #clock: Clock;

  constructor(options: S3StorageOptions) {
    this.#bucket = options.bucket;
    this.#clock = options.clock ?? systemClock;
    this.maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Default checksums put a checksum of an empty body into presigned URLs and corrupt
      // streamed uploads on S3-compatible servers (seen with s3rver); S3 needs none of them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  async createUploadUrl(key: string, options: { size: number; ttlMs?: number }): Promise<SignedRequest> {
    assertValidKey(key);
    checkSingleUploadSize(options.size, this.maxUploadBytes);
    // ContentLength becomes a signed header: S3 refuses a body of any other length
    const command = new PutObjectCommand({ Bucket: this.#bucket, Key: key, ContentLength: options.size });
    return this.#presign('PUT', options.ttlMs, (o) => getSignedUrl(this.client, command, o));
  }

  confirmUpload(key: string, size: number): Promise<StoredObject> {
    return confirmUploadSize(this, key, size);
  }

  async startMultipart(key: string, options: MultipartPlan & { ttlMs?: number }): Promise<MultipartUpload> {
    assertValidKey(key);
    planParts(options, this.maxUploadBytes);
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: key, ContentType: 'application/octet-stream' }));
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error(`S3 started a multipart upload of ${key} without an upload id.`);
    return { uploadId, parts: await this.signParts(key, uploadId, options) };
  }

  async signParts(key: string, uploadId: string, options: MultipartPlan & { partNumbers?: number[]; ttlMs?: number }): Promise<PartRequest[]> {
    assertValidKey(key);
    const parts = selectParts(planParts(options, this.maxUploadBytes), options.partNumbers);
    return Promise.all(
      parts.map(async (p) => {
        const command = new UploadPartCommand({ Bucket: this.#bucket, Key: key, UploadId: uploadId, PartNumber: p.partNumber, ContentLength: p.size });
        const signed = await this.#presign('PUT', options.ttlMs, (o) => getSignedUrl(this.client, command, o));
        return { ...signed, partNumber: p.partNumber, size: p.size };
      }),
    );
  }

  async listUploadedParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    assertValidKey(key);
    const parts: UploadedPart[] = [];
    try {
      for await (const page of paginateListParts({ client: this.client }, { Bucket: this.#bucket, Key: key, UploadId: uploadId })) {
        for (const p of page.Parts ?? []) {
          if (p.PartNumber !== undefined && p.ETag !== undefined) parts.push({ partNumber: p.PartNumber, size: p.Size ?? 0, etag: p.ETag });
        }
      }
    } catch (err) {
      if (errorName(err) === 'NoSuchUpload') throw noSuchUpload(key, uploadId);
      throw err;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, uploadId: string, plan: MultipartPlan): Promise<StoredObject> {
    const planned = planParts(plan, this.maxUploadBytes);
    const uploaded = await this.listUploadedParts(key, uploadId);
    const missing = missingParts(planned, uploaded);
    if (missing.length > 0) throw incompleteUpload(key, missing);
    const etags = new Map(uploaded.map((p) => [p.partNumber, p.etag]));
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.#bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: planned.map((p) => ({ PartNumber: p.partNumber, ETag: etags.get(p.partNumber)! })) },
        }),
      );
    } catch (err) {
      if (errorName(err) === 'NoSuchUpload') throw noSuchUpload(key, uploadId);
      throw err;
    }
    return this.confirmUpload(key, plan.size);
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      if (errorName(err) !== 'NoSuchUpload') throw err;
    }
  }

  async createDownloadUrl(key: string, options: { ttlMs?: number; fileName?: string } = {}): Promise<SignedRequest> {
    assertValidKey(key);
    const disposition = options.fileName === undefined ? undefined : contentDisposition(options.fileName);
    const command = new GetObjectCommand({ Bucket: this.#bucket, Key: key, ResponseContentDisposition: disposition });
    return this.#presign('GET', options.ttlMs, (o) => getSignedUrl(this.client, command, o));
  }

  async head(key: string): Promise<StoredObject | null> {
    assertValidKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { key, size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async *listOlderThan(prefix: string, before: Date): AsyncIterable<StoredObject> {
    assertValidPrefix(prefix);
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.#bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined && o.LastModified !== undefined && o.LastModified.getTime() < before.getTime()) {
          yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified };
        }
      }
    }
  }

  async putStream(key: string, body: Readable, options: { size?: number } = {}): Promise<StoredObject> {
    assertValidKey(key);
    if (options.size !== undefined) checkObjectSize(options.size, this.maxUploadBytes);
    const limit = options.size ?? this.maxUploadBytes;
    let count = 0;
    let overflow: StorageError | null = null;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        count += chunk.length;
        if (count > limit) {
          overflow = options.size === undefined
            ? new StorageError(StorageErrorCode.tooLarge, `Upload to ${key} refused: more than ${limit} bytes. Nothing was stored.`, { limit })
            : sizeMismatch(key, limit, count);
          done(overflow);
        } else done(null, chunk);
      },
    });
    body.once('error', (err) => counter.destroy(err));
    // lib-storage sends one PutObject for small bodies and a multipart upload for big ones,
    // holding at most queueSize × partSize bytes in memory
    const upload = new Upload({ client: this.client, params: { Bucket: this.#bucket, Key: key, Body: body.pipe(counter) }, queueSize: 2, partSize: 8 * 1024 * 1024 });
    try {
      await upload.done();
    } catch (err) {
      body.unpipe(counter);
      throw overflow ?? err;
    }
    if (options.size !== undefined && count !== options.size) {
      await this.delete(key);
      throw sizeMismatch(key, options.size, count);
    }
    return (await this.head(key)) ?? { key, size: count, lastModified: this.#clock.now() };
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    if (range && (!Number.isSafeInteger(range.start) || range.start < 0 || (range.end !== undefined && !(Number.isSafeInteger(range.end) && range.end >= range.start)))) {
      throw new StorageError(StorageErrorCode.invalidRange, `Range ${range.start}-${range.end ?? ''} is not a valid byte range.`);
    }
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined }),
      );
      return out.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new StorageError(StorageErrorCode.notFound, `No object ${key} in storage.`, { key });
      if (errorName(err) === 'InvalidRange') throw new StorageError(StorageErrorCode.invalidRange, `Range ${range?.start}-${range?.end ?? ''} is outside ${key}.`);
      throw err;
    }
  }

  async #presign(method: 'GET' | 'PUT', ttlMs: number | undefined, sign: (options: { expiresIn: number; signingDate: Date }) => Promise<string>): Promise<SignedRequest> {
    const expiresIn = Math.ceil(checkTtl(ttlMs) / 1000);
    const signingDate = this.#clock.now();
    const url = await sign({ expiresIn, signingDate });
    // SigV4 dates have whole seconds
    const expiresAt = new Date(Math.floor(signingDate.getTime() / 1000) * 1000 + expiresIn * 1000);
    return { method, url, headers: {}, expiresAt };
  }
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string } | null)?.name;
}

function isNotFound(err: unknown): boolean {
  const name = errorName(err);
  return name === 'NotFound' || name === 'NoSuchKey' || (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

function noSuchUpload(key: string, uploadId: string): StorageError {
  return new StorageError(StorageErrorCode.notFound, `No upload ${uploadId.slice(0, 80)} in progress for ${key}; start a new one.`, { key, uploadId });
}
