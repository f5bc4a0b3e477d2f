import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { RawSql, type Sql } from '../db/raw-sql.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { BLOB_PREFIX, OUTPUT_PREFIX, parseBlobObjectKey, parseOutputObjectKey } from './object-names.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

export interface RetentionDeps {
  orm: MikroORM;
  storage: ObjectStorage;
  log: Logger;
}

export interface BundleSweepResult {
  /** Rows last used (blobs, bundles) or made (outputs) before this went. */
  cutoff: Date;
  blobs: number;
  bundles: number;
  outputs: number;
  /** Objects under blobs/ or outputs/ that no row names (a delete that failed earlier). */
  orphans: number;
  abandonedUploads: number;
}

/**
 * Deletes bundle files, bundles and outputs past the retention period: rows first, then their
 * objects, so a swept file is missing again at once and the next upload sends it. A blob's
 * period restarts whenever a bundle, job or node uses it, so a file reused by a later bundle is
 * not swept from under it. Objects no row names are swept by their age in storage.
 */
export async function sweepBundleData(deps: RetentionDeps, now: Date, retentionDays: number, options: { orphans?: boolean } = {}): Promise<BundleSweepResult> {
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const sql = new RawSql(deps.orm);
  const remove = async (key: string, uploadId?: string | null) => {
    try {
      if (uploadId) await deps.storage.abortMultipart(key, uploadId);
      await deps.storage.delete(key);
    } catch (err) {
      // the orphan pass below (or the next sweep's) takes it once storage answers again
      deps.log.warn({ err, key }, 'retention: could not delete an object');
    }
  };

  let blobs = 0;
  for (;;) {
    // re-checked at delete time: a blob a new bundle touched meanwhile stays
    const rows = await sql.query<{ storage_key: string; upload_id: string | null }>(
      `delete from blobs where id in (select id from blobs where used_at < $1 order by used_at limit ${BATCH} for update skip locked) and used_at < $1 returning storage_key, upload_id`,
      [cutoff],
    );
    for (const r of rows) await remove(r.storage_key, r.upload_id);
    blobs += rows.length;
    if (rows.length < BATCH) break;
  }
  const bundles = (await sql.query(`delete from bundles where used_at < $1 returning id`, [cutoff])).length;
  let outputs = 0;
  for (;;) {
    const rows = await sql.query<{ storage_key: string }>(
      `delete from job_outputs where id in (select id from job_outputs where created_at < $1 order by created_at limit ${BATCH} for update skip locked) returning storage_key`,
      [cutoff],
    );
    for (const r of rows) await remove(r.storage_key);
    outputs += rows.length;
    if (rows.length < BATCH) break;
  }

  let orphans = 0;
  for (const prefix of options.orphans === false ? [] : [BLOB_PREFIX, OUTPUT_PREFIX]) {
    let keys: string[] = [];
    const flush = async () => {
      for (const key of await unnamed(sql, prefix, keys)) {
        await remove(key);
        orphans += 1;
      }
      keys = [];
    };
    for await (const object of deps.storage.listOlderThan(prefix, cutoff)) {
      keys.push(object.key);
      if (keys.length >= BATCH) await flush();
    }
    await flush();
  }
  const abandonedUploads = deps.storage.abortIncompleteUploads ? await deps.storage.abortIncompleteUploads(cutoff) : 0;
  return { cutoff, blobs, bundles, outputs, orphans, abandonedUploads };
}

/** Which of these keys (all under `prefix`) no row names. Keys of another shape are left alone. */
async function unnamed(sql: Sql, prefix: string, keys: string[]): Promise<string[]> {
  if (prefix === BLOB_PREFIX) {
    const parsed = keys.map((key) => ({ key, ref: parseBlobObjectKey(key) })).filter((k) => k.ref);
    if (!parsed.length) return [];
    const rows = await sql.query<{ storage_key: string }>(
      `select b.storage_key from blobs b join unnest($1::uuid[], $2::text[]) as k(owner_id, sha256) on b.owner_id = k.owner_id and b.sha256 = k.sha256`,
      [parsed.map((k) => k.ref!.ownerId), parsed.map((k) => k.ref!.sha256)],
    );
    const named = new Set(rows.map((r) => r.storage_key));
    return parsed.filter((k) => !named.has(k.key)).map((k) => k.key);
  }
  const parsed = keys.map((key) => ({ key, ref: parseOutputObjectKey(key) })).filter((k) => k.ref);
  if (!parsed.length) return [];
  const rows = await sql.query<{ storage_key: string }>(
    `select o.storage_key from job_outputs o join unnest($1::uuid[], $2::int[]) as k(chunk_id, epoch) on o.chunk_id = k.chunk_id and o.epoch = k.epoch`,
    [parsed.map((k) => k.ref!.chunkId), parsed.map((k) => k.ref!.epoch)],
  );
  const named = new Set(rows.map((r) => r.storage_key));
  return parsed.filter((k) => !named.has(k.key)).map((k) => k.key);
}

export interface BundleRetention {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Sweeps now and then every `intervalMs` (default one hour); sweeps never overlap. */
export function startBundleRetention(deps: RetentionDeps & { clock: Clock }, retentionDays: number, intervalMs = 60 * 60 * 1000): BundleRetention {
  let running: Promise<void> | null = null;
  let orphansSweptAt = -Infinity;
  const run = () => {
    if (running) return;
    const now = deps.clock.now();
    // listing every object is the costly part (S3 bills it): once a day is enough for a safety net
    const orphans = now.getTime() - orphansSweptAt >= DAY_MS;
    if (orphans) orphansSweptAt = now.getTime();
    running = sweepBundleData(deps, now, retentionDays, { orphans })
      .then((r) => {
        if (r.blobs + r.bundles + r.outputs + r.orphans + r.abandonedUploads > 0) deps.log.info(r, 'retention: swept old bundles and outputs');
      })
      .catch((err: unknown) => deps.log.error({ err }, 'retention sweep failed; the next one retries'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
