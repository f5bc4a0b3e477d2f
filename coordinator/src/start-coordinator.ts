import pino from 'pino';
import { ADMIN_EMAIL } from './auth/bootstrap-admin.js';
import { createCoordinator } from './app.js';
import { compileConfig, type CoordinatorOptions, type StorageChoice } from './config.js';
import { openDatabase } from './db/open-database.js';
import { createEnrollmentToken } from './fleet/enrollment.js';

/** Environment → options; called only by entry points, which own process.env. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): CoordinatorOptions {
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  return {
    port: num(env.PORT),
    host: env.HOST || undefined,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.CLOUDEXPORT_DATA_DIR || undefined,
    adminKey: env.CLOUDEXPORT_ADMIN_KEY,
    adminPassword: env.CLOUDEXPORT_ADMIN_PASSWORD,
    retentionDays: num(env.CLOUDEXPORT_RETENTION_DAYS),
    logLevel: env.LOG_LEVEL || undefined,
    rateLimitPerSecond: num(env.CLOUDEXPORT_RATE_LIMIT),
    masterKey: env.CLOUDEXPORT_MASTER_KEY,
    publicUrl: env.CLOUDEXPORT_PUBLIC_URL || undefined,
    storage: storageFromEnv(env),
    consoleDir: env.CLOUDEXPORT_CONSOLE_DIR || undefined,
  };
}

/** S3 when asked for (CLOUDEXPORT_STORAGE=s3) or when a bucket is named; local disk otherwise. */
function storageFromEnv(env: NodeJS.ProcessEnv): StorageChoice | undefined {
  const kind = env.CLOUDEXPORT_STORAGE?.trim() || (env.CLOUDEXPORT_S3_BUCKET ? 's3' : undefined);
  if (kind !== 's3') return kind ? ({ kind } as StorageChoice) : undefined;
  const pathStyle = env.CLOUDEXPORT_S3_PATH_STYLE?.trim().toLowerCase();
  return {
    kind: 's3',
    bucket: env.CLOUDEXPORT_S3_BUCKET ?? '',
    region: env.CLOUDEXPORT_S3_REGION || undefined,
    endpoint: env.CLOUDEXPORT_S3_ENDPOINT || undefined,
    forcePathStyle: pathStyle === undefined || pathStyle === '' ? undefined : ['1', 'true', 'yes'].includes(pathStyle),
    accessKeyId: env.CLOUDEXPORT_S3_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.CLOUDEXPORT_S3_SECRET_ACCESS_KEY || undefined,
  };
}

export interface RunningCoordinator {
  url: string;
  dataDir: string;
  /** A one-time token for a node owned by the admin: how `npm start` enrolls its local node. */
  localEnrollmentToken(ttlMinutes?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Opens the database, starts the API and prints how to reach it. */
export async function startCoordinator(options: CoordinatorOptions, out: (line: string) => void = console.log): Promise<RunningCoordinator> {
  const config = compileConfig(options);
  const log = pino({ level: config.logLevel, base: { service: 'coordinator' } });
  const started = performance.now();
  const db = await openDatabase(
    config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'embedded', dataDir: config.dataDir },
    log,
  );
  try {
    const coordinator = await createCoordinator({ config, db, log });
    const url = await coordinator.listen();
    log.info({ url, database: db.kind, ms: Math.round(performance.now() - started) }, 'coordinator listening');
    out(`CloudExport coordinator: ${url}  (database: ${config.databaseUrl ? 'PostgreSQL' : `embedded, in ${config.dataDir}`})`);
    out(`  health:  ${url}/healthz`);
    out(`  API:     ${url}/api/v1  (OpenAPI: ${url}/api/v1/openapi.json)`);
    out(config.consoleDir ? `  console: ${url}/` : `  console: not served: set CLOUDEXPORT_CONSOLE_DIR to the built console (web/dist; \`npm start\` builds it)`);
    out(`  metrics: ${url}/metrics  (Prometheus, with an admin's API key as Bearer token)`);
    const storage = config.storage.kind === 'local' ? `local disk, in ${config.storage.root}` : `S3 bucket ${config.storage.bucket}${config.storage.endpoint ? ` at ${config.storage.endpoint}` : ''}`;
    out(`  storage: ${storage}; kept ${config.retentionDays} days`);
    if (config.storage.kind === 'local' && !config.publicUrl && /localhost/.test(url)) {
      out(`  (storage links point at ${url}: set CLOUDEXPORT_PUBLIC_URL for nodes and panels on other machines)`);
    }
    if (coordinator.bootstrap.generatedKey) {
      out(`  Admin API key (shown once; also saved to ${coordinator.bootstrap.keyFile}, readable only by you):`);
      out(`    ${coordinator.bootstrap.generatedKey}`);
    } else if (!config.adminKey) {
      out(`  Admin API key: in ${config.dataDir}/admin-key (or set CLOUDEXPORT_ADMIN_KEY)`);
    }
    if (coordinator.bootstrap.generatedPassword) {
      out(`  Console sign-in: ${ADMIN_EMAIL} with the password (shown once; also saved to ${coordinator.bootstrap.passwordFile}):`);
      out(`    ${coordinator.bootstrap.generatedPassword}`);
    } else if (!config.adminKey && !config.adminPassword) {
      out(`  Console sign-in: ${ADMIN_EMAIL}, password in ${config.dataDir}/admin-password unless changed since (or set CLOUDEXPORT_ADMIN_PASSWORD)`);
    }
    return {
      url,
      dataDir: config.dataDir,
      async localEnrollmentToken(ttlMinutes = 10) {
        const em = db.orm.em.fork();
        const { token } = await createEnrollmentToken(em, coordinator.bootstrap.adminId, ttlMinutes, new Date(), { kind: 'system', id: null });
        return token;
      },
      async stop() {
        await coordinator.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
