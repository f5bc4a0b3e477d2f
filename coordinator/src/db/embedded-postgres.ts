import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Folder the database lives in; omit for an in-memory database. */
  dataDir?: string;
  /** A data-dir tarball (from `dumpDataDir`) to start from, e.g. a migrated template. */
  loadDataDir?: Blob;
}

export interface EmbeddedPostgres {
  /** Connection settings for the pg driver: a unix socket folder and its port. */
  host: string;
  port: number;
  user: string;
  password: string;
  dbName: string;
  pglite: PGlite;
  stop(): Promise<void>;
}

const SOCKET_PORT = 5432;

/**
 * PostgreSQL (PGlite, WASM) in this process, served on a unix socket so the ordinary pg driver
 * — and so MikroORM — talks to it exactly as to a real server. PGlite is one session: the
 * socket server takes one connection at a time, so the pool must be of size 1.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const pglite = await PGlite.create(options.dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  // unix socket paths are limited to ~107 bytes, so the socket never lives in the data folder
  const socketDir = await mkdtemp(join(tmpdir(), 'ce-pg-'));
  const server = new PGLiteSocketServer({ db: pglite, path: join(socketDir, `.s.PGSQL.${SOCKET_PORT}`) });
  await server.start();
  return {
    host: socketDir,
    port: SOCKET_PORT,
    user: 'postgres',
    password: 'postgres',
    dbName: 'postgres',
    pglite,
    async stop() {
      await server.stop();
      await pglite.close();
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}
