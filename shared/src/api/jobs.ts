import { z } from 'zod';
import { chunkKindSchema } from '../states/chunk-kind.js';
import { ChunkState } from '../states/chunk-state.js';
import { JobState } from '../states/job-state.js';
import { customPresetSchema } from '../presets/presets.js';
import { idSchema, pageQuerySchema, timestampSchema, usdSchema } from './common.js';
import { checkCustomPreset, complexitySchema, MAX_BUNDLE_BYTES, presetIdSchema } from './estimates.js';
import { tierIdSchema } from './tiers.js';

/** 24 h at 240 fps: longer ranges are almost surely a typo. */
export const MAX_JOB_FRAMES = 24 * 3600 * 240;
export const MAX_FRAME_NUMBER = 100_000_000;

export const compSpecSchema = z
  .object({
    name: z.string().min(1).max(255),
    width: z.number().int().min(1).max(30_000),
    height: z.number().int().min(1).max(30_000),
    fps: z.number().gt(0).max(240),
    frameStart: z.number().int().min(0).max(MAX_FRAME_NUMBER),
    frameEnd: z.number().int().min(0).max(MAX_FRAME_NUMBER).meta({ description: 'Inclusive.' }),
    pixelAspect: z.number().min(0.1).max(10).default(1).meta({ description: 'Width of a comp pixel over its height (0.9091 for D1 NTSC); the deliverable shows it square.' }),
    hasAudio: z.boolean().default(false).meta({ description: 'A layer carries sound: it is rendered once and muxed into the deliverable.' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.frameEnd < c.frameStart) {
      ctx.addIssue({ code: 'custom', path: ['frameEnd'], message: `frameEnd (${c.frameEnd}) is before frameStart (${c.frameStart}).` });
    } else if (c.frameEnd - c.frameStart + 1 > MAX_JOB_FRAMES) {
      ctx.addIssue({ code: 'custom', path: ['frameEnd'], message: `A job renders at most ${MAX_JOB_FRAMES} frames; split the range.` });
    }
  });
export type CompSpec = z.infer<typeof compSpecSchema>;

export const bundleRefSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'A bundle reference is 1–128 letters, digits, - or _.');

/** What a render node must have installed: fonts by PostScript name, third-party effects by match name. */
export const jobRequirementsSchema = z
  .object({
    fonts: z.array(z.string().min(1).max(128)).max(200).default([]),
    effects: z.array(z.string().min(1).max(128)).max(500).default([]),
  })
  .strict()
  .meta({ id: 'JobRequirements' });
export type JobRequirements = z.infer<typeof jobRequirementsSchema>;

export const createJobBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional().meta({ description: 'Default: the comp name.' }),
    bundle: bundleRefSchema.optional().meta({ description: 'The uploaded bundle this job renders.' }),
    bundleBytes: z.number().int().min(0).max(MAX_BUNDLE_BYTES).default(0),
    comp: compSpecSchema,
    preset: presetIdSchema,
    custom: customPresetSchema.optional(),
    complexity: complexitySchema.default('standard'),
    thirdPartyPlugins: z.boolean().default(false),
    priority: z.number().int().min(0).max(100).default(50).meta({ description: 'Higher renders first. Default 50.' }),
    maxTier: tierIdSchema.optional().meta({ description: 'The most expensive tier this job may use.' }),
    chunkSize: z.number().int().min(1).max(100_000).optional().meta({ description: 'Frames per chunk. Default: chosen by the coordinator.' }),
    minAeVersion: z.number().int().min(17).max(99).optional().meta({ description: 'Lowest After Effects major version that may render it.' }),
    minVramMb: z.number().int().min(0).max(1_000_000).optional().meta({ description: 'GPU memory a node needs. Default: from the comp size (4 GB, 8 GB from 4K up).' }),
    requirements: jobRequirementsSchema.optional().meta({ description: 'Fonts and third-party effects a node needs. Default: none.' }),
  })
  .strict()
  .superRefine((b, ctx) => checkCustomPreset(b.preset, b.custom, ctx))
  .meta({ id: 'CreateJobBody' });
export type CreateJobBody = z.infer<typeof createJobBodySchema>;
export type CreateJobInput = z.input<typeof createJobBodySchema>;

export const jobStateSchema = z.enum(Object.values(JobState) as [JobState, ...JobState[]]);
export const chunkStateSchema = z.enum(Object.values(ChunkState) as [ChunkState, ...ChunkState[]]);

export const jobSchema = z
  .object({
    id: idSchema,
    ownerId: idSchema,
    name: z.string(),
    state: jobStateSchema,
    bundle: z.string().nullable(),
    comp: compSpecSchema,
    preset: presetIdSchema,
    custom: customPresetSchema.nullable(),
    complexity: complexitySchema,
    thirdPartyPlugins: z.boolean(),
    priority: z.number().int(),
    maxTier: z.string().nullable(),
    chunkSize: z.number().int(),
    minAeVersion: z.number().int().nullable(),
    minVramMb: z.number().int(),
    requirements: jobRequirementsSchema,
    framesTotal: z.number().int(),
    framesDone: z.number().int(),
    chunkCount: z.number().int(),
    retries: z.number().int(),
    estimatedUsd: usdSchema.nullable(),
    // defaults: a client reading an older coordinator's job still parses it
    costUsd: usdSchema.default(0).meta({ description: 'Charged so far: its done chunks at their nodes’ tier prices.' }),
    startedAt: timestampSchema.nullable().default(null).meta({ description: 'When its first chunk went to a node.' }),
    error: z.string().nullable(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    finishedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof jobSchema>;

export const chunkSchema = z
  .object({
    id: idSchema,
    jobId: idSchema,
    index: z.number().int(),
    kind: chunkKindSchema,
    frameStart: z.number().int(),
    frameEnd: z.number().int(),
    state: chunkStateSchema,
    attempt: z.number().int(),
    nodeId: idSchema.nullable(),
    framesDone: z.number().int(),
    error: z.string().nullable(),
    warnings: z.array(z.string()),
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Chunk' });
export type Chunk = z.infer<typeof chunkSchema>;

export const listJobsQuerySchema = pageQuerySchema
  .extend({
    state: jobStateSchema.optional(),
    ownerId: idSchema.optional().meta({ description: 'Admins only: another user’s jobs. Admins see every job without it.' }),
  })
  .strict();

/** VRAM a comp needs by default: aerender holds several frames of the comp size on the GPU. */
export function defaultMinVramMb(width: number, height: number): number {
  return width * height >= 3840 * 2160 ? 8192 : 4096;
}
