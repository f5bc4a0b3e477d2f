import type { Readable } from 'node:stream';

/**
 * Where ciphertext blobs live: bundles uploaded by artists' clients, frames and deliverables
 * uploaded by render nodes. Clients and nodes never hold storage credentials: they get signed
 * URLs from here. Two drivers: `LocalDiskStorage` (embedded default) and `S3Storage`.
 */
export interface ObjectStorage {
  readonly kind: 'local' | 's3';

  /** A signed PUT for one request of exactly `size` bytes (at most MAX_SINGLE_UPLOAD_BYTES). */
  createUploadUrl(key: string, options: { size: number; ttlMs?: number }): Promise<SignedRequest>;
  /**
   * Checks that what arrived at `key` is `size` bytes; a wrong-size object is deleted and
   * refused (`size_mismatch`). Call it when a client says its upload is done: S3 refuses a
   * wrong length only when it verifies the signed Content-Length, test servers do not.
   */
  confirmUpload(key: string, size: number): Promise<StoredObject>;

  /** Starts a resumable upload of `size` bytes cut into `partSize` parts, with one signed PUT per part. */
  startMultipart(key: string, options: MultipartPlan & { ttlMs?: number }): Promise<MultipartUpload>;
  /** Fresh signed PUTs for some (default all) parts of an upload, e.g. when the first ones expired. */
  signParts(key: string, uploadId: string, options: MultipartPlan & { partNumbers?: number[]; ttlMs?: number }): Promise<PartRequest[]>;
  /** The parts stored so far, so a client resumes by sending only the missing ones. */
  listUploadedParts(key: string, uploadId: string): Promise<UploadedPart[]>;
  /**
   * Assembles the parts into the object once every part of the plan arrived with its planned
   * size; otherwise refuses with `incomplete_upload` and `details.missing` part numbers.
   */
  completeMultipart(key: string, uploadId: string, plan: MultipartPlan): Promise<StoredObject>;
  /** Drops an upload and its parts; a no-op for an unknown upload. */
  abortMultipart(key: string, uploadId: string): Promise<void>;

  /**
   * A signed GET that honours HTTP Range requests. Probe the size with `Range: bytes=0-0`
   * (Content-Range carries the total): S3 signs the method, so HEAD works on local URLs only.
   */
  createDownloadUrl(key: string, options?: { ttlMs?: number; fileName?: string }): Promise<SignedRequest>;

  head(key: string): Promise<StoredObject | null>;
  /** Deletes the object; a no-op when it is absent. */
  delete(key: string): Promise<void>;
  /** Objects under `prefix` last modified before `before`, for the retention sweeper. */
  listOlderThan(prefix: string, before: Date): AsyncIterable<StoredObject>;

  /** Server-side write of a stream; with `size`, a different byte count stores nothing. */
  putStream(key: string, body: Readable, options?: { size?: number }): Promise<StoredObject>;
  /** Server-side read, whole or an inclusive byte range. */
  getStream(key: string, range?: ByteRange): Promise<Readable>;

  /**
   * Drops multipart uploads and half-written temp files started before `startedBefore`.
   * Absent where the store does it itself (S3: the bucket's AbortIncompleteMultipartUpload
   * lifecycle rule).
   */
  abortIncompleteUploads?(startedBefore: Date): Promise<number>;
}

export interface SignedRequest {
  method: 'GET' | 'PUT';
  url: string;
  /** Headers the client must send besides what its HTTP library sets (Content-Length is set from the body). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PartRequest extends SignedRequest {
  partNumber: number;
  /** The exact byte count this part must have. */
  size: number;
}

export interface MultipartPlan {
  /** Total bytes of the object. */
  size: number;
  /** Bytes per part (the last one takes the rest); at least MIN_PART_SIZE_BYTES. */
  partSize: number;
}

export interface MultipartUpload {
  uploadId: string;
  parts: PartRequest[];
}

export interface UploadedPart {
  partNumber: number;
  size: number;
  etag: string;
}

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** Inclusive byte offsets; `end` absent means to the end of the object. */
export interface ByteRange {
  start: number;
  end?: number;
}

/** Signed URLs live an hour unless asked otherwise. */
export const DEFAULT_URL_TTL_MS = 60 * 60 * 1000;
/** SigV4 presigned URLs cannot live longer than a week; the local driver keeps the same bound. */
export const MAX_URL_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** S3 refuses parts under 5 MiB (all but the last); both drivers hold clients to it. */
export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;
/** S3's ceiling on parts per upload. */
export const MAX_PARTS = 10_000;
/** S3's ceiling on a single PUT; bigger blobs go multipart. */
export const MAX_SINGLE_UPLOAD_BYTES = 5 * 1024 * 1024 * 1024;
/** Largest object accepted unless the driver is given `maxUploadBytes`. */
export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024 * 1024;

export const StorageErrorCode = {
  invalidKey: 'invalid_key',
  invalidRequest: 'invalid_request',
  notFound: 'not_found',
  tooLarge: 'too_large',
  sizeMismatch: 'size_mismatch',
  incompleteUpload: 'incomplete_upload',
  invalidRange: 'invalid_range',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** A refusal the caller can act on; anything else thrown by a driver is an outage. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}
