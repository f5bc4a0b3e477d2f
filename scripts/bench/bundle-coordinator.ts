// Child process of bundle.ts: the real coordinator, twice on one database (one with the local
// storage driver, one with the S3 driver), each with an artist and an API key made through the API
// with the admin key. A process of its own, as on a real deployment: the artist's client in the
// parent does not share an event loop (nor the embedded database's WebAssembly) with it.
// Started with fork(), given a JSON BenchCoordinatorInput as argv[2]; answers over IPC:
// {type:'ready', ...BenchCoordinatorReady}, then {type:'cpu', cpuS} on request; {type:'close'} ends it.
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { compileConfig, createCoordinator, openDatabase, type Coordinator, type Database, type StorageChoice } from '@cloudexport/coordinator';

export interface BenchCoordinatorInput {
  /** A folder for the coordinators' data (local storage lives under it). */
  dataDir: string;
  /** The S3-compatible server the second coordinator uses. */
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  /** A PostgreSQL server to make a scratch database on; null: the embedded one, in memory. */
  databaseUrl: string | null;
}

export interface BenchCoordinatorReady {
  database: string;
  databaseS: number;
  targets: { name: 'local' | 's3'; url: string; apiKey: string }[];
}

if (!process.send || !process.argv[2]) {
  console.error('bundle-coordinator: start it with fork(), passing its input as JSON');
  process.exit(2);
}
const input = JSON.parse(process.argv[2]) as BenchCoordinatorInput;

/** A fresh database on the server, dropped on close (as dispatch.ts does). */
async function scratchDatabase(serverUrl: string): Promise<{ db: Database; label: string }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const name = `ce_bench_bundle_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 10 });
  return {
    label: `PostgreSQL server (scratch database ${name}, poolMax 10)`,
    db: {
      ...db,
      async close() {
        await db.close();
        const c = new pg.Client({ connectionString: serverUrl });
        await c.connect();
        await c.query(`drop database if exists "${name}" with (force)`);
        await c.end();
      },
    },
  };
}

const t0 = performance.now();
const { db, label } = input.databaseUrl
  ? await scratchDatabase(input.databaseUrl)
  : { db: await openDatabase({ kind: 'embedded-memory' }), label: 'embedded PostgreSQL (PGlite), in memory' };
const databaseS = (performance.now() - t0) / 1000;

const adminKey = `bench-admin-${randomUUID()}`;
const masterKey = randomBytes(32).toString('base64');
const coordinators: Coordinator[] = [];

async function artistKey(url: string, name: string): Promise<string> {
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const user = await call('/users', { email: `bench-${name}-${randomUUID().slice(0, 8)}@example.test`, name: `bench ${name}`, role: 'artist' });
  const key = await call('/api-keys', { name: 'bench', userId: user.id });
  return key.key as string;
}

async function start(name: 'local' | 's3', storage: StorageChoice): Promise<BenchCoordinatorReady['targets'][number]> {
  const config = compileConfig({ port: 0, host: '127.0.0.1', dataDir: join(input.dataDir, `coordinator-${name}`), adminKey, masterKey, rateLimitPerSecond: 100_000, logLevel: 'silent', storage });
  const coordinator = await createCoordinator({ config, db, log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }) });
  coordinators.push(coordinator);
  const url = await coordinator.listen();
  // one artist per coordinator: blobs are stored once per owner, so each uploads the whole project
  return { name, url, apiKey: await artistKey(url, name) };
}

const { s3 } = input;
const targets = [
  await start('local', { kind: 'local' }),
  await start('s3', { kind: 's3', bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }),
];
const cpu0 = process.cpuUsage();
process.send({ type: 'ready', database: label, databaseS, targets } satisfies { type: 'ready' } & BenchCoordinatorReady);

let closing: Promise<void> | null = null;
const shutdown = () =>
  (closing ??= (async () => {
    setTimeout(() => process.exit(1), 15_000).unref();
    for (const c of coordinators) await c.close();
    await db.close();
    process.exit(0);
  })());

process.on('message', (message: { type: string }) => {
  if (message.type === 'cpu') {
    const cpu = process.cpuUsage(cpu0);
    process.send!({ type: 'cpu', cpuS: (cpu.user + cpu.system) / 1e6 });
  } else if (message.type === 'close') {
    void shutdown();
  }
});
// the parent died or let go: close (and drop a scratch database) all the same
process.on('disconnect', () => void shutdown());
