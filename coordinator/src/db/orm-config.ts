import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export interface ConnectionSettings {
  clientUrl?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  dbName?: string;
  /** Pool size; the embedded database takes exactly one connection. */
  poolMax: number;
}

export function ormConfig(connection: ConnectionSettings): Options {
  const { poolMax, ...conn } = connection;
  return defineConfig({
    ...conn,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, tableName: 'mikro_orm_migrations', silent: true },
    pool: { min: 0, max: poolMax },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: true },
    debug: false,
  });
}
