import { join, resolve } from 'node:path';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@cloudexport/shared';

/** What a caller may set; everything is optional and defaulted by `compileConfig`. */
export interface CoordinatorOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default `0.0.0.0`. */
  host?: string;
  /** PostgreSQL URL; unset runs the embedded database in `dataDir`. */
  databaseUrl?: string;
  /** Data folder for the embedded database, keys and local storage. Default `./.cloudexport`. */
  dataDir?: string;
  /** The admin's API key; unset generates one on first start. */
  adminKey?: string;
  /** A password for the admin to sign in to the web console, set (hashed) at start when the admin has none. Default: none. */
  adminPassword?: string;
  /** Days bundles and outputs are kept. Default 7. */
  retentionDays?: number;
  /** Largest JSON body accepted. Default 1 MiB. */
  maxJsonBytes?: number;
  /** pino level. Default `info`. */
  logLevel?: string;
  /** Sustained API requests per second per key (bursts of 10×). Default 20. */
  rateLimitPerSecond?: number;
  /** The key content keys are wrapped under (base64, 32 bytes); unset: generated once into `<dataDir>/master-key`. */
  masterKey?: string;
  /** The coordinator's URL as clients and nodes reach it, for local storage links. Default: the URL it listens on. */
  publicUrl?: string;
  /** Where bundles and outputs are kept. Default: local disk under `<dataDir>/storage`. */
  storage?: StorageChoice;
  /** The built web console (web/dist) served at `/`; null or unset: `/` says how to build it. Default null. */
  consoleDir?: string | null;
  /** How often the fleet is sampled for the console's charts, in ms. Default 60 000 (one a minute). */
  metricsSampleMs?: number;
}

/** Object storage as an operator picks it. */
export type StorageChoice =
  | { kind: 'local'; /** Default `<dataDir>/storage`. */ root?: string }
  | {
      kind: 's3';
      bucket: string;
      /** Default `us-east-1`. */
      region?: string;
      /** An S3-compatible server (MinIO, R2…); unset for AWS. */
      endpoint?: string;
      /** Bucket in the path, not the host name. Default: true with an endpoint, false without. */
      forcePathStyle?: boolean;
      /** Both or neither; neither uses the AWS SDK's own provider chain. */
      accessKeyId?: string;
      secretAccessKey?: string;
    };

export type StorageConfig =
  | { kind: 'local'; root: string }
  | { kind: 's3'; bucket: string; region: string; endpoint: string | null; forcePathStyle: boolean; credentials: { accessKeyId: string; secretAccessKey: string } | null };

export interface CoordinatorConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  adminKey: string | null;
  adminPassword: string | null;
  retentionDays: number;
  maxJsonBytes: number;
  logLevel: string;
  rateLimit: { perSecond: number; burst: number };
  /** 32 bytes, or null to use (or make) `<dataDir>/master-key`. */
  masterKey: Buffer | null;
  /** No trailing slash. */
  publicUrl: string | null;
  storage: StorageConfig;
  /** Absolute, or null: no console. */
  consoleDir: string | null;
  metricsSampleMs: number;
}

export class ConfigError extends Error {}

export function compileConfig(options: CoordinatorOptions = {}): CoordinatorConfig {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, not "${options.port}".`);
  }
  const retentionDays = options.retentionDays ?? 7;
  if (!(retentionDays > 0 && retentionDays <= 3650)) {
    throw new ConfigError(`CLOUDEXPORT_RETENTION_DAYS must be between 1 and 3650 days, not "${options.retentionDays}".`);
  }
  const perSecond = options.rateLimitPerSecond ?? 20;
  if (!(perSecond > 0 && perSecond <= 100_000)) {
    throw new ConfigError(`CLOUDEXPORT_RATE_LIMIT must be between 1 and 100000 requests per second, not "${options.rateLimitPerSecond}".`);
  }
  const databaseUrl = options.databaseUrl?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL.');
  }
  const adminKey = options.adminKey?.trim() || null;
  if (adminKey !== null && adminKey.length < 8) {
    throw new ConfigError('CLOUDEXPORT_ADMIN_KEY is too short to be a secret: use at least 8 characters.');
  }
  const adminPassword = options.adminPassword?.trim() || null;
  if (adminPassword !== null && (adminPassword.length < PASSWORD_MIN_LENGTH || adminPassword.length > PASSWORD_MAX_LENGTH)) {
    throw new ConfigError(`CLOUDEXPORT_ADMIN_PASSWORD must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long, as every password is.`);
  }
  const metricsSampleMs = options.metricsSampleMs ?? 60_000;
  // below 10 ms only tests would want it, and they set it themselves
  if (!(Number.isInteger(metricsSampleMs) && metricsSampleMs >= 10 && metricsSampleMs <= 3_600_000)) {
    throw new ConfigError(`The metrics sample period must be a whole number of milliseconds from 10 to 3600000, not "${options.metricsSampleMs}".`);
  }
  const dataDir = resolve(options.dataDir ?? '.cloudexport');
  return {
    port,
    host: options.host ?? '0.0.0.0',
    databaseUrl,
    dataDir,
    adminKey,
    adminPassword,
    retentionDays,
    maxJsonBytes: options.maxJsonBytes ?? 1024 * 1024,
    logLevel: options.logLevel ?? 'info',
    rateLimit: { perSecond, burst: Math.ceil(perSecond * 10) },
    masterKey: compileMasterKey(options.masterKey),
    publicUrl: compilePublicUrl(options.publicUrl),
    storage: compileStorage(options.storage, dataDir),
    consoleDir: options.consoleDir?.trim() ? resolve(options.consoleDir.trim()) : null,
    metricsSampleMs,
  };
}

function compileMasterKey(value: string | undefined): Buffer | null {
  const text = value?.trim();
  if (!text) return null;
  const key = /^[A-Za-z0-9+/]{43}=$/.test(text) ? Buffer.from(text, 'base64') : null;
  if (key?.length !== 32) {
    throw new ConfigError('CLOUDEXPORT_MASTER_KEY must be 32 random bytes in base64 (44 characters ending in "="), e.g. from `openssl rand -base64 32`.');
  }
  return key;
}

function compilePublicUrl(value: string | undefined): string | null {
  const text = value?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`CLOUDEXPORT_PUBLIC_URL must be an http:// or https:// URL, not "${text}".`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ConfigError(`CLOUDEXPORT_PUBLIC_URL must be an http:// or https:// URL without a query, not "${text}".`);
  }
  return text.replace(/\/+$/, '');
}

function compileStorage(choice: StorageChoice | undefined, dataDir: string): StorageConfig {
  if (!choice || choice.kind === 'local') return { kind: 'local', root: resolve(choice?.root ?? join(dataDir, 'storage')) };
  if ((choice.kind as string) !== 's3') throw new ConfigError(`CLOUDEXPORT_STORAGE must be "local" or "s3", not "${choice.kind as string}".`);
  const bucket = choice.bucket?.trim();
  if (!bucket) throw new ConfigError('S3 storage needs a bucket: set CLOUDEXPORT_S3_BUCKET.');
  const endpoint = choice.endpoint?.trim() || null;
  if (endpoint && !/^https?:\/\/[^/]/.test(endpoint)) throw new ConfigError(`CLOUDEXPORT_S3_ENDPOINT must be an http:// or https:// URL, not "${endpoint}".`);
  const accessKeyId = choice.accessKeyId?.trim() || null;
  const secretAccessKey = choice.secretAccessKey?.trim() || null;
  if (!accessKeyId !== !secretAccessKey) {
    throw new ConfigError('Set both CLOUDEXPORT_S3_ACCESS_KEY_ID and CLOUDEXPORT_S3_SECRET_ACCESS_KEY, or neither (to use the AWS credential chain).');
  }
  return {
    kind: 's3',
    bucket,
    region: choice.region?.trim() || 'us-east-1',
    endpoint,
    forcePathStyle: choice.forcePathStyle ?? endpoint !== null,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : null,
  };
}
