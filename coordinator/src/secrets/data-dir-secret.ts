import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The key content keys are wrapped under, when CLOUDEXPORT_MASTER_KEY is not set. */
export const MASTER_KEY_FILE = 'master-key';
/** The HMAC key of local storage links. */
export const STORAGE_SECRET_FILE = 'storage-secret';

export interface DataDirSecret {
  key: Buffer;
  file: string;
  /** Made now: nothing wrapped under an earlier key can be opened with it. */
  generated: boolean;
}

/**
 * A 32-byte secret kept in `<dataDir>/<name>` (base64, owner-only), made on first start like the
 * admin key file. Losing the master key file loses every uploaded bundle and output: back it up
 * with the database, or set CLOUDEXPORT_MASTER_KEY.
 */
export async function loadOrCreateSecret(dataDir: string, name: string): Promise<DataDirSecret> {
  const file = join(dataDir, name);
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (existing !== null) {
    const text = existing.trim();
    const key = /^[A-Za-z0-9+/]{43}=$/.test(text) ? Buffer.from(text, 'base64') : null;
    if (key?.length !== 32) throw new Error(`${file} is damaged: it must hold 32 bytes in base64. Restore it from a backup (keys made with it cannot be opened without it).`);
    return { key, file, generated: false };
  }
  const key = randomBytes(32);
  await mkdir(dataDir, { recursive: true });
  // `wx`: two coordinators starting on one data folder must not each write their own
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecret(dataDir, name);
    throw err;
  }
  await chmod(file, 0o600);
  return { key, file, generated: true };
}
