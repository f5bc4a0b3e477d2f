import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ciphertextSize, ErrorCode, UPLOAD_PART_BYTES, type BlobUpload, type StartBlobUploadBody } from '@cloudexport/shared';
import type { Logger } from 'pino';
import { ApiError } from '../api/api-error.js';
import { partRequestDto, signedRequestDto } from '../api/dto.js';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import { BlobEntity, type BlobRow } from '../db/entities/index.js';
import { StorageError, StorageErrorCode, type ObjectStorage } from '../storage/object-storage.js';
import { MAX_SEALED_OBJECT_BYTES } from '../storage/storage-from-config.js';
import { missingParts, planParts } from '../storage/upload-limits.js';
import { blobKeyContext, blobObjectKey } from './object-names.js';
import { sameKey, unwrapContentKey, wrapContentKey } from './wrapped-keys.js';

/** One owner's uploads, as a request sees them. */
export interface BlobScope {
  em: EntityManager;
  storage: ObjectStorage;
  masterKey: Uint8Array;
  ownerId: string;
  now: Date;
  log: Logger;
  actor: AuditActor;
}

/**
 * Which of these files the owner has not stored yet. Another user's copy never counts (blobs are
 * per owner), nor does a copy recorded with another size, nor an upload still in progress.
 */
export async function missingBlobs(em: EntityManager, ownerId: string, refs: { sha256: string; size: number }[]): Promise<string[]> {
  const stored = await em.find(BlobEntity, { ownerId, sha256: { $in: [...new Set(refs.map((r) => r.sha256))] }, storedAt: { $ne: null } }, { fields: ['sha256', 'size'] });
  const sizes = new Map(stored.map((b) => [b.sha256, b.size]));
  return [...new Set(refs.filter((r) => sizes.get(r.sha256) !== r.size).map((r) => r.sha256))];
}

/**
 * Where to send a sealed file: nothing when it is stored, one signed PUT up to a part's size,
 * otherwise a multipart upload. Asked again while an upload is unfinished, it resumes: fresh
 * URLs for only the parts not yet stored. A different key or size starts the upload over.
 */
export async function startBlobUpload(s: BlobScope, body: StartBlobUploadBody): Promise<BlobUpload> {
  const expected = ciphertextSize(body.size, body.recordSize);
  if (body.sealedSize !== expected) {
    throw ApiError.validation('body', [
      { path: 'sealedSize', message: `${body.size} bytes sealed in ${body.recordSize}-byte records are exactly ${expected} bytes, not ${body.sealedSize}; seal the file again` },
    ]);
  }
  const contentKey = Buffer.from(body.key, 'base64');
  const objectKey = blobObjectKey(s.ownerId, body.sha256);
  const context = blobKeyContext(s.ownerId, body.sha256);
  return s.em.transactional(async (tx) => {
    // the row is the lock: two clients starting the same file wait on each other here
    await tx.execute(
      `insert into blobs (id, owner_id, sha256, size, sealed_size, record_size, storage_key, wrapped_key, upload_id, part_size, stored_at, used_at, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, null, null, null, ?, ?) on conflict (owner_id, sha256) do nothing`,
      [randomUUID(), s.ownerId, body.sha256, body.size, body.sealedSize, body.recordSize, objectKey, wrapContentKey(s.masterKey, contentKey, context), s.now, s.now],
      'run',
    );
    const blob = await tx.findOneOrFail(BlobEntity, { ownerId: s.ownerId, sha256: body.sha256 }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (blob.storedAt && blob.size === body.size) {
      blob.usedAt = s.now;
      return { kind: 'stored' as const };
    }
    const resumable =
      !blob.storedAt &&
      blob.size === body.size &&
      blob.sealedSize === body.sealedSize &&
      blob.recordSize === body.recordSize &&
      keptKeyIs(s.masterKey, blob.wrappedKey, context, contentKey);
    if (!resumable) await startOver(s, tx, blob, body, contentKey);
    blob.usedAt = s.now;

    if (blob.sealedSize <= UPLOAD_PART_BYTES) {
      return { kind: 'single' as const, request: signedRequestDto(await s.storage.createUploadUrl(objectKey, { size: blob.sealedSize })) };
    }
    const plan = { size: blob.sealedSize, partSize: blob.partSize ?? UPLOAD_PART_BYTES };
    if (blob.uploadId) {
      const uploaded = await s.storage.listUploadedParts(objectKey, blob.uploadId).catch((err: unknown) => {
        // an upload abandoned past retention is gone: start a new one
        if (err instanceof StorageError && err.code === StorageErrorCode.notFound) return null;
        throw err;
      });
      if (uploaded) {
        const missing = missingParts(planParts(plan, MAX_SEALED_OBJECT_BYTES), uploaded);
        const parts = missing.length ? await s.storage.signParts(objectKey, blob.uploadId, { ...plan, partNumbers: missing }) : [];
        return { kind: 'multipart' as const, partSize: plan.partSize, parts: parts.map(partRequestDto) };
      }
    }
    const upload = await s.storage.startMultipart(objectKey, { size: blob.sealedSize, partSize: UPLOAD_PART_BYTES });
    blob.uploadId = upload.uploadId;
    blob.partSize = UPLOAD_PART_BYTES;
    return { kind: 'multipart' as const, partSize: UPLOAD_PART_BYTES, parts: upload.parts.map(partRequestDto) };
  });
}

/** Whether the upload in progress was started under this key (one wrapped under an older master key never is). */
function keptKeyIs(masterKey: Uint8Array, wrapped: string, context: string, key: Uint8Array): boolean {
  try {
    return sameKey(unwrapContentKey(masterKey, wrapped, context), key);
  } catch {
    return false;
  }
}

/**
 * A new key or size for a file: what was sent under the old one is useless. Parts in progress
 * are dropped; a stored copy (of another size) stays until the new upload overwrites its key,
 * and completing checks the size, so it can never pass for the new one.
 */
async function startOver(s: BlobScope, tx: EntityManager, blob: BlobRow, body: StartBlobUploadBody, contentKey: Buffer): Promise<void> {
  if (blob.uploadId) {
    await s.storage.abortMultipart(blob.storageKey, blob.uploadId).catch((err: unknown) => s.log.warn({ err, key: blob.storageKey }, 'could not abort a replaced multipart upload'));
  }
  if (blob.storedAt) {
    recordAudit(tx, s.now, s.actor, { action: 'blob.replace', targetType: 'blob', targetId: blob.sha256, details: { oldSize: blob.size, size: body.size } });
  }
  Object.assign(blob, {
    size: body.size,
    sealedSize: body.sealedSize,
    recordSize: body.recordSize,
    wrappedKey: wrapContentKey(s.masterKey, contentKey, blobKeyContext(s.ownerId, body.sha256)),
    uploadId: null,
    partSize: null,
    storedAt: null,
  });
}

/**
 * Ends an upload: assembles the parts (multipart) or confirms the single PUT, and accepts the
 * object only at exactly its sealed size; anything else is deleted, and the client told what to do.
 */
export async function completeBlobUpload(s: BlobScope, sha256: string): Promise<BlobRow> {
  return s.em.transactional(async (tx) => {
    const blob = await tx.findOne(BlobEntity, { ownerId: s.ownerId, sha256 }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!blob) throw new ApiError(404, ErrorCode.notFound, `No upload of file ${sha256} of yours is in progress. Start it with POST /api/v1/blobs.`);
    if (blob.storedAt) return blob;
    try {
      const stored = blob.uploadId
        ? await s.storage.completeMultipart(blob.storageKey, blob.uploadId, { size: blob.sealedSize, partSize: blob.partSize ?? UPLOAD_PART_BYTES })
        : await s.storage.confirmUpload(blob.storageKey, blob.sealedSize);
      if (stored.size !== blob.sealedSize) {
        await s.storage.delete(blob.storageKey);
        throw new StorageError(StorageErrorCode.sizeMismatch, 'size', { expected: blob.sealedSize, actual: stored.size });
      }
    } catch (err) {
      throw completionRefused(err, blob);
    }
    blob.storedAt = s.now;
    blob.usedAt = s.now;
    blob.uploadId = null;
    recordAudit(tx, s.now, s.actor, { action: 'blob.store', targetType: 'blob', targetId: sha256, details: { size: blob.size, sealedSize: blob.sealedSize } });
    return blob;
  });
}

function completionRefused(err: unknown, blob: BlobRow): unknown {
  if (!(err instanceof StorageError)) return err;
  const file = `File ${blob.sha256}`;
  switch (err.code) {
    case StorageErrorCode.sizeMismatch:
      return new ApiError(
        400,
        ErrorCode.badRequest,
        `${file}: ${String(err.details?.actual)} bytes arrived, but it seals to exactly ${blob.sealedSize}. Nothing was kept; upload it again (POST /api/v1/blobs gives a fresh link).`,
        { reason: err.code, expected: blob.sealedSize, actual: err.details?.actual },
      );
    case StorageErrorCode.incompleteUpload: {
      const missing = (err.details?.missing as number[] | undefined) ?? [];
      return new ApiError(
        409,
        ErrorCode.conflict,
        `${file}: part(s) ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''} are missing or of the wrong size. POST /api/v1/blobs again for their links, send them, then complete.`,
        { reason: err.code, missing },
      );
    }
    case StorageErrorCode.notFound:
      return new ApiError(409, ErrorCode.conflict, `${file}: nothing has arrived in storage yet (or the upload expired). Send it to the link from POST /api/v1/blobs, then complete.`, { reason: err.code });
    default:
      return new ApiError(400, ErrorCode.badRequest, `${file}: ${err.message}`, { reason: err.code });
  }
}
