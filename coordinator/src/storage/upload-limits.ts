import {
  DEFAULT_URL_TTL_MS,
  MAX_PARTS,
  MAX_SINGLE_UPLOAD_BYTES,
  MAX_URL_TTL_MS,
  MIN_PART_SIZE_BYTES,
  StorageError,
  StorageErrorCode,
  type MultipartPlan,
  type ObjectStorage,
  type StoredObject,
} from './object-storage.js';

/** The checks both drivers apply before they sign anything, so clients see one behaviour. */

export function checkTtl(ttlMs: number | undefined): number {
  const ttl = ttlMs ?? DEFAULT_URL_TTL_MS;
  if (!Number.isInteger(ttl) || ttl < 1000 || ttl > MAX_URL_TTL_MS) {
    throw new StorageError(StorageErrorCode.invalidRequest, `A signed URL must live from 1 second to 7 days (ttlMs ${ttl}).`);
  }
  return ttl;
}

export function checkSingleUploadSize(size: number, maxUploadBytes: number): void {
  checkObjectSize(size, maxUploadBytes);
  if (size > MAX_SINGLE_UPLOAD_BYTES) {
    throw new StorageError(StorageErrorCode.tooLarge, `A single-request upload holds at most ${MAX_SINGLE_UPLOAD_BYTES} bytes, not ${size}: use a multipart upload.`, {
      size,
      limit: MAX_SINGLE_UPLOAD_BYTES,
    });
  }
}

export function checkObjectSize(size: number, maxUploadBytes: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new StorageError(StorageErrorCode.invalidRequest, `An upload size must be a whole number of bytes, not ${size}.`);
  }
  if (size > maxUploadBytes) {
    throw new StorageError(StorageErrorCode.tooLarge, `Upload of ${size} bytes refused: this coordinator accepts at most ${maxUploadBytes} bytes per object.`, {
      size,
      limit: maxUploadBytes,
    });
  }
}

/** The parts a plan cuts an object into: numbers 1..n, every one `partSize` but the last. */
export function planParts(plan: MultipartPlan, maxUploadBytes: number): { partNumber: number; size: number }[] {
  checkObjectSize(plan.size, maxUploadBytes);
  if (plan.size === 0) throw new StorageError(StorageErrorCode.invalidRequest, 'A multipart upload needs at least one byte; upload an empty object in one request.');
  if (!Number.isSafeInteger(plan.partSize) || plan.partSize < MIN_PART_SIZE_BYTES) {
    throw new StorageError(StorageErrorCode.invalidRequest, `Parts must be at least ${MIN_PART_SIZE_BYTES} bytes (5 MiB), not ${plan.partSize}.`);
  }
  const count = Math.ceil(plan.size / plan.partSize);
  if (count > MAX_PARTS) {
    throw new StorageError(
      StorageErrorCode.invalidRequest,
      `${plan.size} bytes in ${plan.partSize}-byte parts makes ${count} parts; at most ${MAX_PARTS} are allowed, so use parts of at least ${Math.ceil(plan.size / MAX_PARTS)} bytes.`,
    );
  }
  return Array.from({ length: count }, (_, i) => ({ partNumber: i + 1, size: Math.min(plan.partSize, plan.size - i * plan.partSize) }));
}

/** The planned parts to sign: all of them, or the asked-for numbers (each must be in the plan). */
export function selectParts(planned: { partNumber: number; size: number }[], partNumbers: number[] | undefined): { partNumber: number; size: number }[] {
  if (!partNumbers) return planned;
  return partNumbers.map((n) => {
    const part = planned[n - 1];
    if (!Number.isInteger(n) || !part) throw new StorageError(StorageErrorCode.invalidRequest, `Part ${n} is not in this upload (parts 1–${planned.length}).`);
    return part;
  });
}

/** Planned parts that are absent or of the wrong size among those uploaded. */
export function missingParts(planned: { partNumber: number; size: number }[], uploaded: { partNumber: number; size: number }[]): number[] {
  const got = new Map(uploaded.map((p) => [p.partNumber, p.size]));
  return planned.filter((p) => got.get(p.partNumber) !== p.size).map((p) => p.partNumber);
}

export function incompleteUpload(key: string, missing: number[]): StorageError {
  const shown = missing.slice(0, 20).join(', ') + (missing.length > 20 ? ', …' : '');
  return new StorageError(StorageErrorCode.incompleteUpload, `Upload of ${key} is not complete: part(s) ${shown} missing or of the wrong size. Send them again, then complete.`, {
    missing,
  });
}

export function sizeMismatch(key: string, expected: number, actual: number): StorageError {
  return new StorageError(StorageErrorCode.sizeMismatch, `Upload to ${key} refused: ${actual} bytes arrived, ${expected} were declared. Nothing was stored; upload it again.`, {
    expected,
    actual,
  });
}

/** A single-request upload arrived: it must be exactly the size that was signed, or it is deleted. */
export async function confirmUploadSize(storage: Pick<ObjectStorage, 'head' | 'delete'>, key: string, size: number): Promise<StoredObject> {
  const found = await storage.head(key);
  if (!found) throw new StorageError(StorageErrorCode.notFound, `No upload has arrived at ${key}. Upload it, then confirm.`, { key });
  if (found.size !== size) {
    await storage.delete(key);
    throw sizeMismatch(key, size, found.size);
  }
  return found;
}
