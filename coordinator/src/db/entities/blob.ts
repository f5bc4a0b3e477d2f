import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from './user.js';

/**
 * One sealed file an artist uploaded, named by the sha256 of its plaintext, per owner: the
 * same file in a later bundle is not uploaded again. Stored at `blobs/<ownerId>/<sha256>`.
 */
export const BlobEntity = defineEntity({
  name: 'Blob',
  tableName: 'blobs',
  uniques: [{ properties: ['ownerId', 'sha256'] }],
  indexes: [{ properties: ['usedAt'] }],
  properties: {
    id: p.uuid().primary(),
    ownerId: p.manyToOne(UserEntity).mapToPk().fieldName('owner_id'),
    sha256: p.string().length(64),
    /** Plaintext bytes. */
    size: p.bigint('number'),
    /** Bytes in storage: ciphertextSize(size, recordSize). */
    sealedSize: p.bigint('number'),
    recordSize: p.integer(),
    storageKey: p.string().length(200),
    /** The content key wrapped under the master key (context `blob:<ownerId>:<sha256>`), base64. */
    wrappedKey: p.string().length(100),
    /** The multipart upload in progress; null for a single PUT or once stored. */
    uploadId: p.text().nullable(),
    partSize: p.integer().nullable(),
    /** Null until the upload completed with the exact sealed size. */
    storedAt: p.datetime().nullable(),
    /** Stored, or named by a bundle or job: retention counts from here, so a reused file outlives the bundles using it. */
    usedAt: p.datetime(),
    createdAt: p.datetime(),
  },
});
export type BlobRow = InferEntity<typeof BlobEntity>;
