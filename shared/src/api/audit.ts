import { z } from 'zod';
import { idSchema, pageQuerySchema, timestampSchema } from './common.js';

export const ActorKind = { user: 'user', node: 'node', system: 'system' } as const;
export type ActorKind = (typeof ActorKind)[keyof typeof ActorKind];

export const auditEntrySchema = z
  .object({
    id: idSchema,
    at: timestampSchema,
    actorKind: z.enum([ActorKind.user, ActorKind.node, ActorKind.system]),
    actorId: z.string().nullable(),
    action: z.string().meta({ description: 'Dotted verb, e.g. `job.create`, `tier.update`.' }),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const listAuditQuerySchema = pageQuerySchema
  .extend({
    actorId: z.string().max(100).optional(),
    action: z.string().max(100).optional().meta({ description: 'Exact action, or a prefix ending in `.` (`job.`).' }),
    since: timestampSchema.optional(),
    until: timestampSchema.optional(),
  })
  .strict();
