import { z } from 'zod';
import { customPresetSchema, PresetId } from '../presets/presets.js';
import { usdSchema } from './common.js';
import { tierIdSchema } from './tiers.js';

export const Complexity = { plain: 'plain', standard: 'standard', heavy: 'heavy' } as const;
export type Complexity = (typeof Complexity)[keyof typeof Complexity];
export const complexitySchema = z.enum([Complexity.plain, Complexity.standard, Complexity.heavy]).meta({
  description: 'plain: no effects (1.0×); standard: standard effects (1.5×); heavy: 3D, particles (3.0×).',
});
export const presetIdSchema = z.enum([PresetId.web, PresetId.social, PresetId.hq, PresetId.custom]);

/** 2 TB: far past any real project, small enough that every product stays a safe integer. */
export const MAX_BUNDLE_BYTES = 2 * 1024 ** 4;

export const estimateBodySchema = z
  .object({
    durationSeconds: z.number().gt(0).max(86_400).meta({ description: 'Length of the range to render, in seconds of comp time.' }),
    fps: z.number().gt(0).max(240),
    complexity: complexitySchema.default('standard'),
    thirdPartyPlugins: z.boolean().default(false).meta({ description: 'Adds 2.0 to the complexity factor.' }),
    bundleBytes: z.number().int().min(0).max(MAX_BUNDLE_BYTES).default(0),
    preset: presetIdSchema,
    custom: customPresetSchema.optional(),
    maxTier: tierIdSchema.optional().meta({ description: 'Only price tiers up to this one.' }),
  })
  .strict()
  .superRefine((b, ctx) => checkCustomPreset(b.preset, b.custom, ctx))
  .meta({ id: 'EstimateBody' });
export type EstimateBody = z.infer<typeof estimateBodySchema>;
export type EstimateInput = z.input<typeof estimateBodySchema>;

export function checkCustomPreset(preset: PresetId, custom: unknown, ctx: z.RefinementCtx): void {
  if (preset === 'custom' && custom === undefined) {
    ctx.addIssue({ code: 'custom', path: ['custom'], message: 'The custom preset needs `custom` (width, height, codec, container, bitrate).' });
  }
  if (preset !== 'custom' && custom !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['custom'], message: `\`custom\` is only for preset "custom", not "${preset}".` });
  }
}

export const costBreakdownSchema = z.object({
  gpuUsd: usdSchema,
  storageUsd: usdSchema,
  transferUsd: usdSchema,
  totalUsd: usdSchema,
});
export type CostBreakdown = z.infer<typeof costBreakdownSchema>;

export const tierEstimateSchema = z.object({
  tierId: tierIdSchema,
  name: z.string(),
  pricePerMinuteUsd: z.number(),
  onlineNodes: z.number().int().min(0),
  cost: costBreakdownSchema,
  etaSeconds: z.number().int().min(0).meta({ description: 'Wall time on the nodes online now (at least one).' }),
});
export type TierEstimate = z.infer<typeof tierEstimateSchema>;

export const estimateSchema = z
  .object({
    frames: z.number().int(),
    complexityFactor: z.number(),
    gpuMinutes: z.number(),
    bundleGb: z.number(),
    outputGb: z.number(),
    storageHours: z.number(),
    currency: z.literal('USD'),
    tiers: z.array(tierEstimateSchema),
  })
  .meta({ id: 'Estimate' });
export type Estimate = z.infer<typeof estimateSchema>;
