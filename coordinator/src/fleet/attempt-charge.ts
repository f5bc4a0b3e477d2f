import type { Sql } from '../db/raw-sql.js';

// exact (numeric) seconds, never negative should clocks of two coordinators disagree
const SECONDS = `greatest(extract(epoch from ($3::timestamptz - a.started_at)), 0)`;

/**
 * Ends these chunks' running attempts as done and charges each, in the caller's transaction: its
 * GPU seconds (endedAt − startedAt) at its node's tier price per minute then, in whole
 * micro-dollars (a node with no tier: 0), and adds the charges to each node's running total.
 * Only a running attempt is charged, so a chunk is charged once whatever retries, duplicate
 * reports or coordinators race on it. Frames, audio and assembly chunks are charged alike: each
 * kept a GPU machine busy.
 */
export async function chargeDoneAttempts(sql: Sql, chunks: { id: string; epoch: number }[], now: Date): Promise<void> {
  if (chunks.length === 0) return;
  await sql.query(
    `with charged as (
       update chunk_attempts a
          set outcome = 'done', ended_at = $3, tier_id = t.id,
              gpu_seconds = ${SECONDS}::float8,
              charged_micros = coalesce(round(${SECONDS} * t.price_per_minute_micros / 60), 0)
         from unnest($1::uuid[], $2::int[]) as d(chunk_id, epoch), nodes n
              left join tier_prices t on t.id = n.tier_id
        where a.chunk_id = d.chunk_id and a.epoch = d.epoch and a.outcome = 'running' and n.id = a.node_id
        returning a.node_id, a.charged_micros)
     update nodes n set charged_micros = n.charged_micros + s.micros
       from (select node_id, sum(charged_micros) as micros from charged group by node_id) s
      where n.id = s.node_id`,
    [chunks.map((c) => c.id), chunks.map((c) => c.epoch), now],
  );
}
