import { resolve } from 'node:path';

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
  /** Days bundles and outputs are kept. Default 7. */
  retentionDays?: number;
  /** Largest JSON body accepted. Default 1 MiB. */
  maxJsonBytes?: number;
  /** pino level. Default `info`. */
  logLevel?: string;
  /** Sustained API requests per second per key (bursts of 10×). Default 20. */
  rateLimitPerSecond?: number;
}

export interface CoordinatorConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  adminKey: string | null;
  retentionDays: number;
  maxJsonBytes: number;
  logLevel: string;
  rateLimit: { perSecond: number; burst: number };
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
  return {
    port,
    host: options.host ?? '0.0.0.0',
    databaseUrl,
    dataDir: resolve(options.dataDir ?? '.cloudexport'),
    adminKey,
    retentionDays,
    maxJsonBytes: options.maxJsonBytes ?? 1024 * 1024,
    logLevel: options.logLevel ?? 'info',
    rateLimit: { perSecond, burst: Math.ceil(perSecond * 10) },
  };
}
