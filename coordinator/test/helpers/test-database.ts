import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/open-database.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../..');
const migrationsDir = join(here, '../../src/db/migrations');

/** `DATABASE_URL` set: real PostgreSQL (CI). Unset: the embedded one. */
export const serverUrl = process.env.DATABASE_URL || null;

/**
 * A database of its own for one test file, already migrated. On a real server: a fresh
 * database, dropped on close. Embedded: an in-memory PGlite loaded from a migrated template,
 * because a cold initdb costs seconds and most of a gigabyte per process.
 */
export async function openTestDatabase(): Promise<Database> {
  if (serverUrl) return openServerDatabase(serverUrl);
  return openDatabase({ kind: 'embedded-memory', loadDataDir: await migratedTemplate() });
}

async function openServerDatabase(url: string): Promise<Database> {
  const scratch = await createScratchDatabase(url);
  const db = await openDatabase({ kind: 'postgres', url: scratch.url, poolMax: 10 });
  return {
    ...db,
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}

/** An empty database of its own on the server at `url`. */
export async function createScratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ce_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(url, (c) => c.query(`create database "${name}"`));
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    url: dbUrl.toString(),
    drop: () => withAdminClient(url, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

async function withAdminClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Built once per set of migrations and shared by every test process through a file lock. */
async function migratedTemplate(): Promise<Blob> {
  const key = await migrationsHash();
  const cacheDir = join(repoRoot, 'node_modules/.cache/cloudexport');
  const file = join(cacheDir, `pglite-template-${key}.tar.gz`);
  const lock = `${file}.lock`;
  await mkdir(cacheDir, { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      return new Blob([await readFile(file)]);
    } catch {
      // not built yet
    }
    try {
      await mkdir(lock);
      break; // we build it
    } catch {
      // another process builds it; a lock older than 2 minutes belongs to a dead one
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 120_000) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const db = await openDatabase({ kind: 'embedded-memory' });
    const dump = await db.embedded!.pglite.dumpDataDir('gzip');
    await db.close();
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
    await rename(tmp, file);
    return new Blob([await readFile(file)]);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(migrationsDir)).sort()) hash.update(name).update(await readFile(join(migrationsDir, name)));
  return hash.digest('hex').slice(0, 16);
}
