import { randomUUID } from 'node:crypto';
import { ErrorCode, type ApiRoutes } from '@cloudexport/shared';
import { hashPassword, verifyPassword } from '../../auth/password-hash.js';
import { beginPasswordCheck } from '../../auth/sign-in-lockout.js';
import { SessionEntity, UserEntity } from '../../db/entities/index.js';
import { ApiError } from '../api-error.js';
import type { Handler } from '../build-router.js';
import { userDto } from '../dto.js';
import { findPage } from '../pagination.js';
import { isAdmin } from '../principal.js';

export const getMe: Handler<ApiRoutes['getMe']> = async ({ em, principal }) => {
  return userDto(await em.findOneOrFail(UserEntity, { id: principal.userId }));
};

export const listUsers: Handler<ApiRoutes['listUsers']> = async ({ em, query }) => {
  const page = await findPage(em, UserEntity, query.role ? { role: query.role } : {}, query, 'createdAt');
  return { items: page.rows.map(userDto), nextCursor: page.nextCursor };
};

export const createUser: Handler<ApiRoutes['createUser']> = async ({ em, body, now, audit }) => {
  const email = body.email.toLowerCase();
  if (await em.count(UserEntity, { email })) {
    throw new ApiError(409, ErrorCode.conflict, `A user with email ${email} already exists.`, { issues: [{ path: 'email', message: 'already taken' }] });
  }
  const user = em.create(UserEntity, { id: randomUUID(), email, name: body.name, role: body.role, disabled: false, createdAt: now, updatedAt: now });
  audit({ action: 'user.create', targetType: 'user', targetId: user.id, details: { email, role: body.role } });
  await em.flush();
  return userDto(user);
};

export const getUser: Handler<ApiRoutes['getUser']> = async ({ em, params }) => {
  const user = await em.findOne(UserEntity, { id: params.id });
  if (!user) throw ApiError.notFound('user', params.id);
  return userDto(user);
};

export const updateUser: Handler<ApiRoutes['updateUser']> = async ({ em, params, body, principal, now, audit }) => {
  const user = await em.findOne(UserEntity, { id: params.id });
  if (!user) throw ApiError.notFound('user', params.id);
  if (user.id === principal.userId && (body.disabled === true || (body.role && body.role !== 'admin'))) {
    throw ApiError.conflict('You cannot disable yourself or drop your own admin role; ask another admin.');
  }
  const before = { name: user.name, role: user.role, disabled: user.disabled };
  em.assign(user, { ...body, updatedAt: now });
  audit({ action: 'user.update', targetType: 'user', targetId: user.id, details: { before, after: body } });
  await em.flush();
  return userDto(user);
};

export const setUserPassword: Handler<ApiRoutes['setUserPassword']> = async ({ em, params, body, principal, deps, now, audit, ctx }) => {
  const self = params.id === principal.userId;
  if (!self && !isAdmin(principal)) throw ApiError.forbidden('Only admins may set another user’s password; to change yours, use your own user id.');
  const user = await em.findOne(UserEntity, { id: params.id });
  if (!user) throw ApiError.notFound('user', params.id);
  // a stolen session or key alone must not be enough to take over the account's password
  if (self && user.passwordHash) {
    if (!body.currentPassword) throw ApiError.validation('body', [{ path: 'currentPassword', message: 'required to change your own password' }]);
    const check = beginPasswordCheck(deps.signInLockout, ctx.ip, user.email);
    if (!(await verifyPassword(body.currentPassword, user.passwordHash))) throw ApiError.forbidden('The current password is wrong; nothing was changed.');
    check.succeeded();
  }
  user.passwordHash = await hashPassword(body.password);
  user.updatedAt = now;
  // a new password signs out everyone else using the account; the caller's own session stays
  const keep = self && principal.credential.kind === 'session' ? principal.credential.id : null;
  const others = await em.find(SessionEntity, keep ? { userId: user.id, id: { $ne: keep } } : { userId: user.id });
  em.remove(others);
  audit({ action: 'user.password', targetType: 'user', targetId: user.id, details: { by: self ? 'self' : 'admin', sessionsEnded: others.length } });
  await em.flush();
  return userDto(user);
};
