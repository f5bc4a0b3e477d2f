import type { MikroORM } from '@mikro-orm/postgresql';

/** A pg client borrowed from MikroORM's pool: plain parameterised SQL ($1, $2…), rows as pg returns them. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
}

interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * The scheduler's hot paths skip the unit of work: hydration, change sets and query building
 * cost ~30 ms of CPU per chunk there. They borrow a connection from the same pool (so the
 * embedded database's single connection is shared in turn, not doubled) and run set-based SQL.
 */
export class RawSql {
  constructor(private readonly orm: MikroORM) {}

  /** Runs `work` in one transaction; rolls back if it throws. */
  async transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('begin');
      try {
        const result = await work(asSql(client));
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      }
    });
  }

  /** One statement outside any transaction. */
  async query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]> {
    return this.withClient((client) => asSql(client).query<T>(text, values));
  }

  private async withClient<T>(work: (client: PgClient) => Promise<T>): Promise<T> {
    const pool = this.orm.em.getConnection().getKnex().client as { acquireConnection(): Promise<PgClient>; releaseConnection(c: PgClient): Promise<void> };
    const client = await pool.acquireConnection();
    try {
      return await work(client);
    } finally {
      await pool.releaseConnection(client);
    }
  }
}

const asSql = (client: PgClient): Sql => ({
  async query<T>(text: string, values?: unknown[]) {
    return (await client.query(text, values)).rows as T[];
  },
});
