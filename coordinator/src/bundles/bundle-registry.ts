import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ErrorCode, type BundleManifest } from '@cloudexport/shared';
import { manifestId } from '@cloudexport/shared/node';
import { ApiError } from '../api/api-error.js';
import { isAdmin, type Principal } from '../api/principal.js';
import { recordAudit, type AuditActor } from '../audit/audit-log.js';
import { BlobEntity, BundleEntity, type BundleRow } from '../db/entities/index.js';

/** Keeps `in (…)` lists far below PostgreSQL's 65 535 bind parameters. */
const BATCH = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Registers a bundle whose every file the owner has stored with the manifest's size (409 naming
 * the others). Registering the same manifest again answers the same bundle.
 */
export async function createBundle(em: EntityManager, ownerId: string, manifest: BundleManifest, now: Date, actor: AuditActor): Promise<BundleRow> {
  const id = manifestId(manifest);
  const created = await em.transactional(async (tx) => {
    // touched before they are checked: a retention sweep from now on keeps them (it re-checks used_at)
    const sizes = await touchBlobs(tx, ownerId, manifest.files.map((f) => f.sha256), now);
    const missing = manifest.files.filter((f) => sizes.get(f.sha256) !== f.size);
    if (missing.length > 0) {
      const shown = missing.slice(0, 5).map((f) => `${f.path} (${f.sha256.slice(0, 12)}…)`).join(', ');
      throw new ApiError(
        409,
        ErrorCode.conflict,
        `${missing.length} of the bundle’s ${manifest.files.length} files are not uploaded: ${shown}${missing.length > 5 ? ', …' : ''}. Upload them (POST /api/v1/blobs/missing lists which), then create the bundle again.`,
        { missing: [...new Set(missing.map((f) => f.sha256))] },
      );
    }
    const existing = await tx.findOne(BundleEntity, { ownerId, manifestId: id });
    if (existing) {
      existing.usedAt = now;
      return existing;
    }
    const bundle = tx.create(BundleEntity, {
      id: randomUUID(),
      ownerId,
      manifestId: id,
      manifest,
      files: manifest.files.length,
      bytes: manifest.files.reduce((sum, f) => sum + f.size, 0),
      createdAt: now,
      usedAt: now,
    });
    recordAudit(tx, now, actor, { action: 'bundle.create', targetType: 'bundle', targetId: bundle.id, details: { manifestId: id, files: bundle.files, bytes: bundle.bytes } });
    await tx.flush();
    return bundle;
  }).catch(async (err: unknown) => {
    // the same manifest registered twice at once: the other request made it
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    return null;
  });
  return created ?? (await em.fork().findOneOrFail(BundleEntity, { ownerId, manifestId: id }));
}

/** The bundle, if the caller owns it or is an admin. */
export async function visibleBundle(em: EntityManager, principal: Principal, id: string): Promise<BundleRow> {
  const bundle = await em.findOne(BundleEntity, { id });
  if (!bundle || (bundle.ownerId !== principal.userId && !isAdmin(principal))) throw ApiError.notFound('bundle', id);
  return bundle;
}

/**
 * The bundle a new job of `ownerId` renders: theirs only (an admin's job too). Naming it in a job
 * restarts its retention, and that of its files.
 */
export async function bundleForJob(em: EntityManager, ownerId: string, ref: string, now: Date): Promise<BundleRow> {
  const bundle = UUID.test(ref) ? await em.findOne(BundleEntity, { id: ref.toLowerCase(), ownerId }) : null;
  if (!bundle) {
    throw new ApiError(404, ErrorCode.notFound, `No bundle ${ref} of yours: it was never created, belongs to someone else, or passed its retention period. Upload the project again (POST /api/v1/bundles).`);
  }
  bundle.usedAt = now;
  await touchBlobs(em, ownerId, bundle.manifest.files.map((f) => f.sha256), now);
  return bundle;
}

/** Restarts the retention of the owner's stored files among `shas`; answers their stored sizes. */
export async function touchBlobs(em: EntityManager, ownerId: string, shas: string[], now: Date): Promise<Map<string, number>> {
  const unique = [...new Set(shas)];
  const sizes = new Map<string, number>();
  for (let i = 0; i < unique.length; i += BATCH) {
    const where = { ownerId, sha256: { $in: unique.slice(i, i + BATCH) }, storedAt: { $ne: null } };
    await em.nativeUpdate(BlobEntity, where, { usedAt: now });
    for (const b of await em.find(BlobEntity, where, { fields: ['sha256', 'size'] })) sizes.set(b.sha256, b.size);
  }
  return sizes;
}
