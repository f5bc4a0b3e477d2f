import { z } from 'zod';
import { timestampSchema } from './common.js';

export const metricsHistoryQuerySchema = z
  .object({
    hours: z.coerce.number().int().min(1).max(24 * 7).default(24).meta({ description: 'How far back. Default 24.' }),
  })
  .strict();

/** One sample of the fleet, taken by the coordinator every minute. */
export const metricsPointSchema = z.object({
  at: timestampSchema,
  nodesOnline: z.number().int().meta({ description: 'Connected nodes that are not disabled.' }),
  nodesBusy: z.number().int(),
  framesPerMinute: z.number().meta({ description: 'Frames of frame chunks finished in the minute before `at`.' }),
  queueDepth: z.number().int().meta({ description: 'Chunks waiting for a node (QUEUED).' }),
  jobsRunning: z.number().int(),
});
export type MetricsPoint = z.infer<typeof metricsPointSchema>;

export const metricsHistorySchema = z
  .object({
    stepSeconds: z.number().int(),
    points: z.array(metricsPointSchema).meta({ description: 'Oldest first; gaps where no coordinator ran.' }),
  })
  .meta({ id: 'MetricsHistory' });
export type MetricsHistory = z.infer<typeof metricsHistorySchema>;
