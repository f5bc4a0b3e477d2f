import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, type ApiRoutes } from '@cloudexport/shared';
import { recordAudit } from '../../audit/audit-log.js';
import { hashPassword } from '../../auth/password-hash.js';
import { setSessionCookie } from '../../auth/session-cookie.js';
import { startSession } from '../../auth/sessions.js';
import { InviteEntity, UserEntity, type InviteRow } from '../../db/entities/index.js';
import { ApiError } from '../api-error.js';
import type { Handler } from '../build-router.js';
import { inviteDto, sessionDto } from '../dto.js';
import { sessionClient } from './sessions.js';

const INVITE_TTL_MS = 7 * 24 * 60 * 60_000;

/** Invite tokens are 256 random bits: a fast hash keeps them out of the database. */
const hashInviteToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

const ALREADY_USED = 'This invite was already used; each works once. Sign in with your password, or ask an admin for a new invite.';

export const createInvite: Handler<ApiRoutes['createInvite']> = async ({ em, body, principal, now, audit }) => {
  const email = body.email.toLowerCase();
  const existing = await em.findOne(UserEntity, { email });
  if (existing?.passwordHash) {
    throw ApiError.conflict(`${email} already has a password and signs in with it. To reset it, set a new one with POST /api/v1/users/${existing.id}/password.`);
  }
  if (existing?.disabled) throw ApiError.conflict(`${email} is disabled; re-enable the user (PATCH /api/v1/users/${existing.id}) before inviting them.`);
  // an invite never changes a role on its own: that stays an explicit PATCH, in the audit log as one
  if (existing && existing.role !== body.role) {
    throw ApiError.conflict(`${email} is already a user with the ${existing.role} role. Invite them as ${existing.role}, or change their role first (PATCH /api/v1/users/${existing.id}).`);
  }
  const token = `cei_${randomBytes(32).toString('base64url')}`;
  const row = em.create(InviteEntity, {
    id: randomUUID(),
    email,
    role: body.role,
    hash: hashInviteToken(token),
    createdBy: principal.userId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + INVITE_TTL_MS),
    usedAt: null,
    userId: null,
  });
  audit({ action: 'invite.create', targetType: 'invite', targetId: row.id, details: { email, role: body.role, expiresAt: row.expiresAt.toISOString(), existingUserId: existing?.id ?? null } });
  await em.flush();
  return { invite: inviteDto(row), token };
};

export const acceptInvite: Handler<ApiRoutes['acceptInvite']> = async ({ em, body, deps, now, ctx }) => {
  // the token is checked before the slow password hash, so bad tokens cost the server little
  const invite = usable(await em.findOne(InviteEntity, { hash: hashInviteToken(body.token) }), now);
  const passwordHash = await hashPassword(body.password);
  const { user, session } = await em.transactional(async (tx) => {
    const existing = await tx.findOne(UserEntity, { email: invite.email });
    if (existing?.passwordHash) throw ApiError.conflict(`${invite.email} already has a password. Sign in with it, or ask an admin to set a new one.`);
    if (existing?.disabled) throw new ApiError(403, ErrorCode.forbidden, 'This account is disabled. Ask an admin to re-enable it.');
    const user = existing ?? tx.create(UserEntity, { id: randomUUID(), email: invite.email, name: body.name, role: invite.role, disabled: false, passwordHash, createdAt: now, updatedAt: now });
    if (existing) tx.assign(existing, { name: body.name, passwordHash, updatedAt: now });
    // claimed atomically: however many requests race with one token, one wins
    const claimed = await tx.nativeUpdate(InviteEntity, { id: invite.id, usedAt: null, expiresAt: { $gt: now } }, { usedAt: now, userId: user.id });
    if (claimed !== 1) throw ApiError.conflict(ALREADY_USED);
    recordAudit(tx, now, { kind: 'user', id: user.id, ip: ctx.ip }, {
      action: 'invite.accept',
      targetType: 'invite',
      targetId: invite.id,
      details: { userId: user.id, email: user.email, role: user.role, newUser: !existing },
    });
    return { user, session: startSession(tx, user, now, sessionClient(ctx), 'invite') };
  });
  setSessionCookie(ctx, session.token, deps.config.publicUrl);
  return sessionDto(user, session.row);
};

function usable(invite: InviteRow | null, now: Date): InviteRow {
  if (!invite) throw new ApiError(401, ErrorCode.unauthorized, 'This invite is not valid: check that the whole link was copied, or ask an admin for a new invite.');
  if (invite.usedAt) throw ApiError.conflict(ALREADY_USED);
  if (invite.expiresAt <= now) throw new ApiError(401, ErrorCode.unauthorized, `This invite expired at ${invite.expiresAt.toISOString()}. Ask an admin for a new one.`);
  return invite;
}
