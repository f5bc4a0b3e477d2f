import { randomUUID } from 'node:crypto';
import { ErrorCode, type ApiRoutes } from '@cloudexport/shared';
import { UserEntity } from '../../db/entities/index.js';
import { ApiError } from '../api-error.js';
import type { Handler } from '../build-router.js';
import { userDto } from '../dto.js';
import { findPage } from '../pagination.js';

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
