import { z } from 'zod';
import { recordSizeSchema, sha256Schema, signedRequestSchema } from '../api/bundles.js';
import { Container, VideoCodec } from '../presets/codecs.js';
import { PresetId } from '../presets/presets.js';
import { outputNameSchema } from './bundle-events.js';

// What an assembling node gets and asks for (see ChunkKind), and the previews a rendering node sends.

export const frameDepthSchema = z.union([z.literal(8), z.literal(16)]);

/** The resolved preset (see resolvePreset), as the assembling node gets it. */
export const renderPresetSchema = z
  .object({
    id: z.enum(PresetId),
    name: z.string().max(100),
    width: z.number().int().min(16).max(8192),
    height: z.number().int().min(16).max(8192),
    codec: z.enum(VideoCodec),
    bitrateMbps: z.number().positive().max(1000).nullable(),
    container: z.enum(Container),
    audioCodec: z.enum(['aac', 'pcm_s16le']).nullable(),
    target: z.string().max(100),
    fastStart: z.boolean(),
  })
  .strict();

/** What an assemble chunk must produce. */
export const deliverableSpecSchema = z
  .object({
    preset: renderPresetSchema,
    comp: z
      .object({ name: z.string().max(255), width: z.number().int().min(1), height: z.number().int().min(1), fps: z.number().positive(), pixelAspect: z.number().min(0.1).max(10).default(1) })
      .strict(),
    frameStart: z.number().int().min(0),
    frameEnd: z.number().int().min(0),
    /** An audio chunk rendered the comp's sound: mux it in. */
    hasAudio: z.boolean(),
    frameDepth: frameDepthSchema,
    /** The name to upload it under: `deliverable.mp4`, `.mov`, or `.tar` for an image sequence. */
    fileName: outputNameSchema,
  })
  .strict();
export type DeliverableSpec = z.infer<typeof deliverableSpecSchema>;

const chunkRef = { chunkId: z.uuid(), epoch: z.number().int().min(1) };

/** Agent → coordinator: the inputs of the assemble chunk I hold. */
export const assemblyOpenSchema = z.object(chunkRef).strict();
export type AssemblyOpen = z.infer<typeof assemblyOpenSchema>;

/**
 * Every frame of the job (and its sound), as stored by the nodes that rendered them: a signed
 * GET each, and the output key of the chunk it came from sealed to this node's X25519 key.
 */
export const assemblyInputSchema = z
  .object({
    role: z.enum(['frame', 'audio']),
    /** The comp frame number of a frame; null for the sound. */
    frame: z.number().int().min(0).nullable(),
    name: outputNameSchema,
    size: z.number().int().min(0),
    sha256: sha256Schema,
    sealedSize: z.number().int().min(1),
    recordSize: recordSizeSchema,
    sealedKey: z.string().max(200),
    request: signedRequestSchema,
  })
  .strict();
export type AssemblyInput = z.infer<typeof assemblyInputSchema>;

export const assemblyTicketSchema = z.object({ inputs: z.array(assemblyInputSchema).max(2_000_000) }).strict();
export type AssemblyTicket = z.infer<typeof assemblyTicketSchema>;

/** Base64 of at most 192 KiB of JPEG. */
export const MAX_PREVIEW_BASE64 = 262_144;

/** Agent → coordinator: a small JPEG of the latest finished frame of the chunk I hold. */
export const chunkPreviewSchema = z
  .object({
    ...chunkRef,
    frame: z.number().int().min(0),
    width: z.number().int().min(1).max(4096),
    height: z.number().int().min(1).max(4096),
    jpeg: z.string().min(4).max(MAX_PREVIEW_BASE64).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'jpeg is base64'),
    /** When the agent learned the frame was finished (ISO 8601, the node's clock); optional: agents before it send none. */
    renderedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type ChunkPreview = z.infer<typeof chunkPreviewSchema>;
