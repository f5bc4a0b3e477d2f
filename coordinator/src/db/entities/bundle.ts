import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { BundleManifest } from '@cloudexport/shared';
import { UserEntity } from './user.js';

/** A project and the files it needs, by manifest; its files are the owner's blobs. */
export const BundleEntity = defineEntity({
  name: 'Bundle',
  tableName: 'bundles',
  // the same manifest registered twice is the same bundle
  uniques: [{ properties: ['ownerId', 'manifestId'] }],
  indexes: [{ properties: ['usedAt'] }],
  properties: {
    id: p.uuid().primary(),
    ownerId: p.manyToOne(UserEntity).mapToPk().fieldName('owner_id'),
    /** sha256 of the canonical manifest bytes. */
    manifestId: p.string().length(64),
    manifest: p.json<BundleManifest>(),
    files: p.integer(),
    bytes: p.bigint('number'),
    createdAt: p.datetime(),
    /** Created, or named by a job or opened by a node: retention counts from here. */
    usedAt: p.datetime(),
  },
});
export type BundleRow = InferEntity<typeof BundleEntity>;
