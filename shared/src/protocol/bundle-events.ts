import { z } from 'zod';
import { keySchema, recordSizeSchema, sha256Schema, signedRequestSchema } from '../api/bundles.js';
import { bundleManifestSchema } from '../bundle/bundle-manifest.js';

// What a node asks for around a chunk, fenced by the chunk's epoch like every chunk message.

const chunkRef = { chunkId: z.uuid(), epoch: z.number().int().min(1) };

/** Agent → coordinator: the bundle of the chunk I hold. */
export const bundleOpenSchema = z.object(chunkRef).strict();
export type BundleOpen = z.infer<typeof bundleOpenSchema>;

/** Each file's content key sealed to this node's X25519 key (base64), and where to fetch it. */
export const bundleTicketSchema = z.object({
  bundleId: z.uuid(),
  manifestId: sha256Schema,
  manifest: bundleManifestSchema,
  blobs: z.array(z.object({ sha256: sha256Schema, size: z.number().int(), sealedSize: z.number().int(), sealedKey: z.string(), request: signedRequestSchema })),
});
export type BundleTicket = z.infer<typeof bundleTicketSchema>;

/** Output file names a node may upload: the engine's frame files. */
export const outputNameSchema = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'Output names are 1–128 letters, digits, ".", "_" or "-".');

/** Agent → coordinator: I sealed these outputs of my chunk under `key`; where do they go? */
export const outputBeginSchema = z
  .object({
    ...chunkRef,
    /** The chunk's output key; the coordinator keeps it wrapped under its master key. */
    key: keySchema,
    files: z
      .array(
        z
          .object({
            name: outputNameSchema,
            size: z.number().int().min(0),
            sha256: sha256Schema,
            /** ciphertextSize(size, recordSize), checked exactly. */
            sealedSize: z.number().int().min(1),
            /** The record size it was sealed with; default DEFAULT_RECORD_SIZE (1 MiB). */
            recordSize: recordSizeSchema.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(100_000),
  })
  .strict();
export type OutputBegin = z.infer<typeof outputBeginSchema>;

export const outputUploadsSchema = z.object({ uploads: z.array(z.object({ name: z.string(), request: signedRequestSchema })) });
export type OutputUploads = z.infer<typeof outputUploadsSchema>;
