import { z } from 'zod';
import { idSchema, pageQuerySchema, timestampSchema } from './common.js';

export const Role = { artist: 'artist', provider: 'provider', admin: 'admin' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const roleSchema = z.enum([Role.artist, Role.provider, Role.admin]);

export const userSchema = z
  .object({
    id: idSchema,
    email: z.email(),
    name: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    createdAt: timestampSchema,
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

export const createUserBodySchema = z
  .object({
    email: z.email().max(254),
    name: z.string().trim().min(1).max(100),
    role: roleSchema,
  })
  .strict()
  .meta({ id: 'CreateUserBody' });
export type CreateUserBody = z.infer<typeof createUserBodySchema>;

export const updateUserBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'Give at least one of name, role, disabled.' })
  .meta({ id: 'UpdateUserBody' });
export type UpdateUserBody = z.infer<typeof updateUserBodySchema>;

export const listUsersQuerySchema = pageQuerySchema.extend({ role: roleSchema.optional() }).strict();
