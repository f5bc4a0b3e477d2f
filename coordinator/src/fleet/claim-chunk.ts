import type { EntityManager } from '@mikro-orm/postgresql';
import type { NodeRow } from '../db/entities/index.js';

/** Jobs looked at per claim; the first with a chunk nobody else is locking wins. */
const CANDIDATE_JOBS = 20;

/**
 * Locks the next chunk this node may render, skipping rows other coordinators hold, so several
 * coordinators can share one database. Two steps, each cheap at any queue length:
 * 1. the jobs this node may serve — alive, with queued chunks, tier ceiling at or above the
 *    node's tier, AE and VRAM enough, node not blocklisted — by priority, then the job that has
 *    had the fewest chunks handed out (its next queued chunk's index, one probe of the partial
 *    index), so jobs of one priority take turns instead of queueing behind each other, then age;
 * 2. in that order, the job's first queued chunk this node has not failed, FOR UPDATE SKIP LOCKED
 *    (a partial index on queued chunks keeps this a short index scan).
 * Must run inside a transaction.
 */
export async function claimChunk(tx: EntityManager, node: NodeRow, nodePriceMicros: number, aeMajor: number): Promise<string | null> {
  const conn = tx.getConnection();
  const ctx = tx.getTransactionContext();
  const jobs = await conn.execute<{ id: string }[]>(
    `select j.id
       from jobs j
       left join tier_prices ceiling on ceiling.id = j.max_tier
      where j.state not in ('CREATED', 'COMPLETED', 'PERMANENTLY_FAILED', 'CANCELLED')
        and exists (select 1 from chunks q where q.job_id = j.id and q.state = 'QUEUED')
        and (j.max_tier is null or ceiling.price_per_minute_micros >= ?)
        and (j.min_ae_version is null or j.min_ae_version <= ?)
        and j.min_vram_mb <= ?
        and not exists (select 1 from node_job_blocks b where b.job_id = j.id and b.node_id = ?)
      order by j.priority desc,
               (select min(q.index) from chunks q where q.job_id = j.id and q.state = 'QUEUED') asc,
               j.created_at asc
      limit ${CANDIDATE_JOBS}`,
    [nodePriceMicros, aeMajor, node.vramMb, node.id],
    'all',
    ctx,
  );
  for (const job of jobs) {
    const [chunk] = await conn.execute<{ id: string }[]>(
      `select id from chunks
        where job_id = ? and state = 'QUEUED' and not (failed_node_ids @> to_jsonb(?::text))
        order by index
        limit 1
        for update skip locked`,
      [job.id, node.id],
      'all',
      ctx,
    );
    if (chunk) return chunk.id;
  }
  return null;
}
