import { z } from 'zod';
import { chunkKindSchema } from '../states/chunk-kind.js';
import { bundleManifestSchema } from '../bundle/bundle-manifest.js';
import { MAX_RECORD_SIZE, MIN_RECORD_SIZE } from '../bundle/sealed-records.js';
import { idSchema, timestampSchema } from './common.js';

/** Lower-case hex sha256 of a blob's plaintext: its name, per owner. */
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'A sha256 is 64 lower-case hex digits.');
/** A 256-bit key, base64. */
export const keySchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'A key is 32 bytes, base64.');

/** Plaintext bytes per sealed record, as the sealed data's header declares it. */
export const recordSizeSchema = z.number().int().min(MIN_RECORD_SIZE).max(MAX_RECORD_SIZE);

/** The largest single blob: 64 GiB. */
export const MAX_BLOB_BYTES = 64 * 1024 ** 3;
/** Parts of a multipart upload: blobs above one part go up in parallel, resumably. */
export const UPLOAD_PART_BYTES = 16 * 1024 ** 2;

/** A request to make against storage exactly as given (a signed URL: no API key). */
export const signedRequestSchema = z.object({
  method: z.enum(['GET', 'PUT']),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  expiresAt: timestampSchema,
});
export type SignedRequestDto = z.infer<typeof signedRequestSchema>;

export const partRequestSchema = signedRequestSchema.extend({ partNumber: z.number().int().min(1), size: z.number().int().min(0) });
export type PartRequestDto = z.infer<typeof partRequestSchema>;

export const blobRefSchema = z.object({ sha256: sha256Schema, size: z.number().int().min(0).max(MAX_BLOB_BYTES) }).strict();

export const missingBlobsBodySchema = z.object({ blobs: z.array(blobRefSchema).min(1).max(10_000) }).strict().meta({ id: 'MissingBlobsBody' });
export const missingBlobsSchema = z.object({ missing: z.array(sha256Schema) }).meta({ id: 'MissingBlobs' });

export const startBlobUploadBodySchema = z
  .object({
    sha256: sha256Schema,
    size: z.number().int().min(0).max(MAX_BLOB_BYTES),
    /** The sealed size: ciphertextSize(size, recordSize). Checked exactly. */
    sealedSize: z.number().int().min(1),
    recordSize: recordSizeSchema,
    /** The blob's content key; the coordinator keeps it wrapped under its master key. */
    key: keySchema,
  })
  .strict()
  .meta({ id: 'StartBlobUploadBody' });
export type StartBlobUploadBody = z.infer<typeof startBlobUploadBodySchema>;

/** Where to send a blob: one PUT, or parts (only the ones still missing when resuming). */
export const blobUploadSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('stored') }),
    z.object({ kind: z.literal('single'), request: signedRequestSchema }),
    z.object({ kind: z.literal('multipart'), partSize: z.number().int(), parts: z.array(partRequestSchema) }),
  ])
  .meta({ id: 'BlobUpload' });
export type BlobUpload = z.infer<typeof blobUploadSchema>;

export const blobParamsSchema = z.object({ sha256: sha256Schema }).strict();
export const blobSchema = z.object({ sha256: sha256Schema, size: z.number().int(), sealedSize: z.number().int(), stored: z.boolean(), createdAt: timestampSchema }).meta({ id: 'Blob' });
export type Blob = z.infer<typeof blobSchema>;

export const createBundleBodySchema = z.object({ manifest: bundleManifestSchema }).strict().meta({ id: 'CreateBundleBody' });
export const bundleSchema = z
  .object({
    id: idSchema,
    ownerId: idSchema,
    /** sha256 of the canonical manifest bytes. */
    manifestId: sha256Schema,
    files: z.number().int(),
    bytes: z.number().int(),
    createdAt: timestampSchema,
  })
  .meta({ id: 'Bundle' });
export type Bundle = z.infer<typeof bundleSchema>;

/** A rendered file of a job, kept sealed in storage; its owner downloads it decrypted. */
export const jobOutputSchema = z
  .object({
    name: z.string(),
    chunkIndex: z.number().int(),
    /** frames: a rendered frame; audio: the comp's sound; assemble: the deliverable. */
    kind: chunkKindSchema,
    size: z.number().int(),
    sha256: sha256Schema,
    createdAt: timestampSchema,
  })
  .meta({ id: 'JobOutput' });
export type JobOutput = z.infer<typeof jobOutputSchema>;
export const jobOutputsSchema = z.object({ items: z.array(jobOutputSchema) }).meta({ id: 'JobOutputs' });
export const outputParamsSchema = z.object({ id: idSchema, name: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/) }).strict();
