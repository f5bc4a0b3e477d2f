import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';
import { roleSchema, userSchema } from './users.js';

/** The web console's session cookie (httpOnly, SameSite=Strict): the server sets and clears it. */
export const SESSION_COOKIE = 'ce_session';
/** With the session cookie, every POST, PUT, PATCH and DELETE carries the session's CSRF token in this header. */
export const CSRF_HEADER = 'X-CSRF-Token';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** A password being set: 12 to 256 characters, nothing else demanded. */
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { message: `Use at least ${PASSWORD_MIN_LENGTH} characters.` })
  .max(PASSWORD_MAX_LENGTH, { message: `Use at most ${PASSWORD_MAX_LENGTH} characters.` });

export const signInBodySchema = z
  .object({
    email: z.email().max(254),
    // not the policy of a new password: only a bound, so a policy change never locks anyone out
    password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  })
  .strict()
  .meta({ id: 'SignInBody' });
export type SignInBody = z.infer<typeof signInBodySchema>;

/** A signed-in browser: who, and the token its state-changing requests send as `X-CSRF-Token`. */
export const sessionSchema = z
  .object({
    user: userSchema,
    csrfToken: z.string(),
    expiresAt: timestampSchema.meta({ description: 'When the session ends unless used: each request moves it 12 h ahead.' }),
  })
  .meta({ id: 'Session' });
export type Session = z.infer<typeof sessionSchema>;

export const signedOutSchema = z.object({ signedOut: z.literal(true) }).meta({ id: 'SignedOut' });

export const setPasswordBodySchema = z
  .object({
    password: newPasswordSchema,
    currentPassword: z.string().max(PASSWORD_MAX_LENGTH).optional().meta({ description: 'Needed to change your own password once you have one; admins setting someone else’s leave it out.' }),
  })
  .strict()
  .meta({ id: 'SetPasswordBody' });
export type SetPasswordBody = z.infer<typeof setPasswordBodySchema>;

export const createInviteBodySchema = z
  .object({
    email: z.email().max(254),
    role: roleSchema,
  })
  .strict()
  .meta({ id: 'CreateInviteBody' });
export type CreateInviteBody = z.infer<typeof createInviteBodySchema>;

export const inviteSchema = z
  .object({
    id: idSchema,
    email: z.email(),
    role: roleSchema,
    createdAt: timestampSchema,
    expiresAt: timestampSchema,
  })
  .meta({ id: 'Invite' });
export type Invite = z.infer<typeof inviteSchema>;

export const createdInviteSchema = z
  .object({
    invite: inviteSchema,
    token: z.string().meta({ description: 'Shown once: the invitee sends it to POST /api/v1/invites/accept within 7 days.' }),
  })
  .meta({ id: 'CreatedInvite' });
export type CreatedInvite = z.infer<typeof createdInviteSchema>;

export const acceptInviteBodySchema = z
  .object({
    token: z.string().min(1).max(200),
    name: z.string().trim().min(1).max(100),
    password: newPasswordSchema,
  })
  .strict()
  .meta({ id: 'AcceptInviteBody' });
export type AcceptInviteBody = z.infer<typeof acceptInviteBodySchema>;
