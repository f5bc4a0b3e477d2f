import { z } from 'zod';
import { idSchema, pageQuerySchema, timestampSchema } from './common.js';

export const apiKeySchema = z
  .object({
    id: idSchema,
    userId: idSchema,
    name: z.string(),
    prefix: z.string().meta({ description: 'The visible start of the key, to recognise it in lists.' }),
    createdAt: timestampSchema,
    lastUsedAt: timestampSchema.nullable(),
    revokedAt: timestampSchema.nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof apiKeySchema>;

export const createApiKeyBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    userId: idSchema.optional().meta({ description: 'Admins only: create the key for this user. Default: yourself.' }),
  })
  .strict()
  .meta({ id: 'CreateApiKeyBody' });
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

export const createdApiKeySchema = z
  .object({
    apiKey: apiKeySchema,
    key: z.string().meta({ description: 'The secret, shown this once. Send it as `Authorization: Bearer <key>`.' }),
  })
  .meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const listApiKeysQuerySchema = pageQuerySchema
  .extend({ userId: idSchema.optional().meta({ description: 'Admins only: another user’s keys.' }) })
  .strict();
