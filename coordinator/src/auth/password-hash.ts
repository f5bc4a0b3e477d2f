import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt, memory-hard: 2^15 × 8 × 128 bytes = 32 MiB and ~100 ms per hash on one core. The
 * parameters are stored with each hash, so raising them later leaves old hashes verifiable.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Stored parameters above these are refused rather than run: a hash is not a way to exhaust memory. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/**
 * What a sign-in verifies against when the email is unknown (or has no password): same cost as
 * a real hash, and no password matches it, so a miss takes as long as a wrong password.
 */
export const DUMMY_PASSWORD_HASH = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${Buffer.alloc(SALT_BYTES).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`;

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Whether `password` is the one `stored` was made from; compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.hash.length, parsed.params);
  return timingSafeEqual(key, parsed.hash);
}

function parse(stored: string): { params: { N: number; r: number; p: number }; salt: Buffer; hash: Buffer } | null {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length || !salt || !hash) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = Number.isInteger(params.N) && params.N > 1 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N > MAX_N || !(params.r >= 1 && params.r <= MAX_R) || !(params.p >= 1 && params.p <= MAX_P)) return null;
  const key = Buffer.from(hash, 'base64');
  if (key.length < 16) return null;
  return { params, salt: Buffer.from(salt, 'base64'), hash: key };
}

function derive(password: string, salt: Buffer, length: number, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // Node refuses scrypt above 32 MiB unless told: 128·N·r is what it needs, plus headroom
  const options: ScryptOptions = { ...params, maxmem: 128 * params.N * params.r * params.p + 16 * 1024 * 1024 };
  // the same characters typed on another keyboard or OS may arrive composed differently
  const normalized = password.normalize('NFKC');
  return new Promise((resolve, reject) => scrypt(normalized, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));
}
