import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile, mkdir, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '@cloudexport/shared';
import { recordAudit } from '../audit/audit-log.js';
import { ApiKeyEntity, UserEntity } from '../db/entities/index.js';
import { generateApiKey, hashApiKey, prefixOfChosenKey } from './api-key-secret.js';
import { hashPassword } from './password-hash.js';

export const ADMIN_EMAIL = 'admin@cloudexport.local';
export const ADMIN_KEY_FILE = 'admin-key';
export const ADMIN_PASSWORD_FILE = 'admin-password';

export interface BootstrapResult {
  adminId: string;
  /** Set only when a key was generated now: it must be shown once, then it is gone. */
  generatedKey: string | null;
  keyFile: string | null;
  /** Set only when a console password was generated now (see bootstrapAdmin). */
  generatedPassword: string | null;
  passwordFile: string | null;
}

export interface BootstrapSecrets {
  /** CLOUDEXPORT_ADMIN_KEY, or null to generate one once. */
  adminKey: string | null;
  /** CLOUDEXPORT_ADMIN_PASSWORD, or null: the admin signs in to the console only once it has one. */
  adminPassword: string | null;
}

/**
 * On first start an admin exists. Its key is `adminKey` when given (and is added again if an
 * operator changes it), otherwise generated once and written to an owner-only file. With
 * `adminPassword`, an admin without a password gets it (hashed); one it already has is kept, so
 * a password changed in the console survives restarts. With neither a chosen key nor a chosen
 * password (the `npm start` case), an admin without a password gets a generated one, written to
 * an owner-only file beside the key, so the console can be signed in to on a fresh clone.
 */
export async function bootstrapAdmin(em: EntityManager, dataDir: string, { adminKey, adminPassword }: BootstrapSecrets, now: Date): Promise<BootstrapResult> {
  const system = { kind: 'system' as const, id: null };
  let admin = await em.findOne(UserEntity, { email: ADMIN_EMAIL });
  if (!admin) {
    admin = em.create(UserEntity, { id: randomUUID(), email: ADMIN_EMAIL, name: 'Admin', role: Role.admin, disabled: false, createdAt: now, updatedAt: now });
    recordAudit(em, now, system, { action: 'user.create', targetType: 'user', targetId: admin.id, details: { email: ADMIN_EMAIL, role: Role.admin, bootstrap: true } });
  }
  let generatedKey: string | null = null;
  let keyFile: string | null = null;
  if (adminKey) {
    const hash = hashApiKey(adminKey);
    const existing = await em.findOne(ApiKeyEntity, { hash });
    if (existing && existing.userId !== admin.id) {
      throw new Error('CLOUDEXPORT_ADMIN_KEY is already the key of another user; choose a different one.');
    }
    if (!existing) {
      const row = em.create(ApiKeyEntity, { id: randomUUID(), userId: admin.id, name: 'CLOUDEXPORT_ADMIN_KEY', prefix: prefixOfChosenKey(adminKey), hash, createdAt: now, lastUsedAt: null, revokedAt: null });
      recordAudit(em, now, system, { action: 'apikey.create', targetType: 'api_key', targetId: row.id, details: { userId: admin.id, source: 'CLOUDEXPORT_ADMIN_KEY' } });
    } else if (existing.revokedAt) {
      throw new Error('CLOUDEXPORT_ADMIN_KEY was revoked; set a new one.');
    }
  } else if ((await em.count(ApiKeyEntity, { userId: admin.id })) === 0) {
    const { key, prefix } = generateApiKey();
    const row = em.create(ApiKeyEntity, { id: randomUUID(), userId: admin.id, name: 'bootstrap admin key', prefix, hash: hashApiKey(key), createdAt: now, lastUsedAt: null, revokedAt: null });
    recordAudit(em, now, system, { action: 'apikey.create', targetType: 'api_key', targetId: row.id, details: { userId: admin.id, source: 'generated', prefix } });
    await mkdir(dataDir, { recursive: true });
    keyFile = join(dataDir, ADMIN_KEY_FILE);
    await writeFile(keyFile, `${key}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600); // writeFile's mode is ignored when the file already existed
    generatedKey = key;
  }
  if (adminPassword && !admin.passwordHash) {
    admin.passwordHash = await hashPassword(adminPassword);
    admin.updatedAt = now;
    recordAudit(em, now, system, { action: 'user.password', targetType: 'user', targetId: admin.id, details: { source: 'CLOUDEXPORT_ADMIN_PASSWORD' } });
  }
  let generatedPassword: string | null = null;
  let passwordFile: string | null = null;
  if (!adminKey && !adminPassword && !admin.passwordHash) {
    generatedPassword = randomBytes(15).toString('base64url');
    admin.passwordHash = await hashPassword(generatedPassword);
    admin.updatedAt = now;
    recordAudit(em, now, system, { action: 'user.password', targetType: 'user', targetId: admin.id, details: { source: 'generated' } });
    await mkdir(dataDir, { recursive: true });
    passwordFile = join(dataDir, ADMIN_PASSWORD_FILE);
    await writeFile(passwordFile, `${generatedPassword}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
  }
  await em.flush();
  return { adminId: admin.id, generatedKey, keyFile, generatedPassword, passwordFile };
}
