import { z } from 'zod';
import { timestampSchema } from './common.js';

export const tierIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'A tier id is lowercase letters, digits and dashes.');

/** Prices are kept in integer micro-dollars, so at most 6 decimals survive. */
const pricePerMinuteUsdSchema = z
  .number()
  .gt(0)
  .max(1000)
  .refine((n) => Math.abs(Math.round(n * 1e6) - n * 1e6) < 1e-6, 'At most 6 decimals.');

export const tierSchema = z
  .object({
    id: tierIdSchema,
    name: z.string(),
    pricePerMinuteUsd: z.number(),
    models: z.array(z.string()).meta({ description: 'GPU model patterns in this tier, e.g. `RTX 4090`.' }),
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Tier' });
export type Tier = z.infer<typeof tierSchema>;

export const updateTierBodySchema = z
  .object({
    name: z.string().trim().min(1).max(60).optional(),
    pricePerMinuteUsd: pricePerMinuteUsdSchema.optional(),
    models: z.array(z.string().trim().min(1).max(64)).max(200).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'Give at least one of name, pricePerMinuteUsd, models.' })
  .meta({ id: 'UpdateTierBody' });
export type UpdateTierBody = z.infer<typeof updateTierBodySchema>;

export const tierParamsSchema = z.object({ id: tierIdSchema }).strict();
