import type { EntityManager } from '@mikro-orm/postgresql';
import type { NodeRow } from '../db/entities/index.js';

const ACTIVE = `('ASSIGNED','DOWNLOADING','RENDERING','UPLOADING')`;

/**
 * Locks the next chunk this node may render, skipping rows other coordinators hold, so several
 * coordinators can share one database. Eligible: queued, job alive, job's tier ceiling at or
 * above the node's tier, AE and VRAM enough, node not blocklisted for the job and not one that
 * failed this chunk. Order: priority, then the job with the fewest chunks running (so jobs of
 * one priority share the fleet instead of queueing behind each other), then age.
 * Must run inside a transaction.
 */
export async function claimChunk(tx: EntityManager, node: NodeRow, nodePriceMicros: number, aeMajor: number): Promise<string | null> {
  const rows = await tx.getConnection().execute<{ id: string }[]>(
    `select c.id
       from chunks c
       join jobs j on j.id = c.job_id
       left join tier_prices ceiling on ceiling.id = j.max_tier
      where c.state = 'QUEUED'
        and j.state not in ('COMPLETED', 'PERMANENTLY_FAILED', 'CANCELLED')
        and (j.max_tier is null or ceiling.price_per_minute_micros >= ?)
        and (j.min_ae_version is null or j.min_ae_version <= ?)
        and j.min_vram_mb <= ?
        and not exists (select 1 from node_job_blocks b where b.job_id = j.id and b.node_id = ?)
        and not (c.failed_node_ids @> to_jsonb(?::text))
      order by j.priority desc,
               (select count(*) from chunks r where r.job_id = j.id and r.state in ${ACTIVE}) asc,
               j.created_at asc,
               c.index asc
      limit 1
      for update of c skip locked`,
    [nodePriceMicros, aeMajor, node.vramMb, node.id, node.id],
    'all',
    tx.getTransactionContext(),
  );
  return rows[0]?.id ?? null;
}
