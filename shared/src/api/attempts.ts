import { z } from 'zod';
import { chunkKindSchema } from '../states/chunk-kind.js';
import { idSchema, pageQuerySchema, timestampSchema, usdSchema } from './common.js';

export const AttemptOutcome = { running: 'running', done: 'done', failed: 'failed', lost: 'lost', cancelled: 'cancelled' } as const;
export type AttemptOutcome = (typeof AttemptOutcome)[keyof typeof AttemptOutcome];
export const attemptOutcomeSchema = z.enum(Object.values(AttemptOutcome) as [AttemptOutcome, ...AttemptOutcome[]]);

/**
 * One assignment of a chunk to a node and how it ended: the rows of a job's timeline (chunks per
 * node over time) and of a node's history (what it rendered, what it failed and why).
 */
export const chunkAttemptSchema = z
  .object({
    id: idSchema,
    chunkId: idSchema,
    jobId: idSchema,
    jobName: z.string(),
    nodeId: idSchema,
    nodeName: z.string(),
    chunkIndex: z.number().int(),
    kind: chunkKindSchema,
    frameStart: z.number().int(),
    frameEnd: z.number().int().meta({ description: 'Inclusive.' }),
    epoch: z.number().int(),
    outcome: attemptOutcomeSchema,
    reason: z.string().nullable().meta({ description: 'Why it failed or was lost (a FailureReason), null otherwise.' }),
    message: z.string().nullable(),
    warnings: z.array(z.string()).meta({ description: 'aerender warnings of the chunk, on its latest attempt.' }),
    startedAt: timestampSchema,
    endedAt: timestampSchema.nullable(),
    chargedUsd: usdSchema.nullable().meta({ description: 'What the job owner paid for it (done attempts only).' }),
  })
  .meta({ id: 'ChunkAttempt' });
export type ChunkAttempt = z.infer<typeof chunkAttemptSchema>;

export const listAttemptsQuerySchema = pageQuerySchema
  .extend({
    outcome: attemptOutcomeSchema.optional(),
  })
  .strict();
