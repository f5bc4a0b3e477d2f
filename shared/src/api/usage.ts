import { z } from 'zod';
import { idSchema, usdSchema } from './common.js';

/** Providers earn this share of what their done chunks were charged; the rest is the platform's. */
export const PROVIDER_SHARE = 0.7;

/** A provider's share of a charge, in whole micro-dollars. */
export function earnedMicros(chargedMicros: number): number {
  return Math.round(chargedMicros * PROVIDER_SHARE);
}

const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).meta({ description: 'A UTC day, YYYY-MM-DD.' });

export const usageQuerySchema = z
  .object({
    days: z.coerce.number().int().min(1).max(366).default(30).meta({ description: 'How many UTC days back, today included. Default 30.' }),
    userId: idSchema.optional().meta({ description: 'Admins only: another user’s figures.' }),
  })
  .strict();
export type UsageQuery = z.infer<typeof usageQuerySchema>;

/** An artist's spending: what their jobs' done chunks were charged. */
export const spendingSchema = z
  .object({
    totalUsd: usdSchema.meta({ description: 'Over the whole period.' }),
    byDay: z.array(z.object({ day: daySchema, usd: usdSchema, frames: z.number().int() })).meta({ description: 'Every day of the period, oldest first, zeros included.' }),
    byJob: z.array(z.object({ jobId: idSchema, jobName: z.string(), usd: usdSchema, frames: z.number().int() })).meta({ description: 'Most expensive first.' }),
  })
  .meta({ id: 'Spending' });
export type Spending = z.infer<typeof spendingSchema>;

/** A provider's earnings: PROVIDER_SHARE of what their nodes' done chunks were charged. */
export const earningsSchema = z
  .object({
    totalUsd: usdSchema,
    share: z.number().meta({ description: 'The provider’s share of each charge (PROVIDER_SHARE).' }),
    byDay: z.array(z.object({ day: daySchema, usd: usdSchema, chunks: z.number().int() })).meta({ description: 'Every day of the period, oldest first, zeros included.' }),
    byNode: z.array(z.object({ nodeId: idSchema, nodeName: z.string(), usd: usdSchema, chunks: z.number().int(), gpuMinutes: z.number() })),
  })
  .meta({ id: 'Earnings' });
export type Earnings = z.infer<typeof earningsSchema>;
