import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Logger } from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { ormConfig } from './orm-config.js';

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolMax?: number }
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'embedded-memory'; loadDataDir?: Blob };

export interface Database {
  orm: MikroORM;
  /** `postgres` for a server, `embedded` for PGlite in this process. */
  kind: 'postgres' | 'embedded';
  embedded: EmbeddedPostgres | null;
  close(): Promise<void>;
}

/** Any fixed 64-bit number: serializes migrations when several coordinators start at once. */
const MIGRATION_LOCK_KEY = 7_245_001_337;

/** Opens the database and brings its schema up to date with the migrations. */
export async function openDatabase(target: DatabaseTarget, log?: Logger): Promise<Database> {
  let embedded: EmbeddedPostgres | null = null;
  let orm: MikroORM;
  if (target.kind === 'postgres') {
    orm = await MikroORM.init(ormConfig({ clientUrl: target.url, poolMax: target.poolMax ?? 10 }));
  } else {
    if (target.kind === 'embedded') await mkdir(target.dataDir, { recursive: true });
    embedded = await startEmbeddedPostgres(
      target.kind === 'embedded' ? { dataDir: join(target.dataDir, 'postgres') } : target.loadDataDir ? { loadDataDir: target.loadDataDir } : {},
    );
    orm = await MikroORM.init(ormConfig({ ...embedded, poolMax: 1 }));
  }
  try {
    await migrate(orm, target.kind === 'postgres' ? target.url : null, log);
  } catch (err) {
    await orm.close(true);
    await embedded?.stop();
    throw err;
  }
  return {
    orm,
    kind: target.kind === 'postgres' ? 'postgres' : 'embedded',
    embedded,
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

async function migrate(orm: MikroORM, serverUrl: string | null, log?: Logger): Promise<void> {
  // On a shared server, hold a session advisory lock on a connection of its own, so that
  // coordinators starting together apply each migration once. The embedded one has one process.
  const lock = serverUrl ? new pg.Client({ connectionString: serverUrl }) : null;
  if (lock) {
    await lock.connect();
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  }
  try {
    const migrator = orm.getMigrator();
    const pending = await migrator.getPendingMigrations();
    if (pending.length === 0) return;
    log?.info({ migrations: pending.map((m) => m.name) }, 'applying database migrations');
    await migrator.up();
  } finally {
    await lock?.end();
  }
}
