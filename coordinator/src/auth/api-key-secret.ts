import { createHash, randomBytes } from 'node:crypto';

/** Keys look like `ce_1f2e3d4c_<43 chars>`: a visible prefix to recognise them, then 256 random bits. */
export function generateApiKey(): { key: string; prefix: string } {
  const prefix = `ce_${randomBytes(4).toString('hex')}`;
  return { key: `${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

/** The prefix shown for a key chosen by an operator (CLOUDEXPORT_ADMIN_KEY): never the secret itself. */
export function prefixOfChosenKey(key: string): string {
  return /^ce_[0-9a-f]{8}_/.test(key) ? key.slice(0, 11) : 'env';
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
