import { ACTIVE_CHUNK_STATES } from '@cloudexport/shared';
import type { Sql } from '../db/raw-sql.js';

/** A node is alive and still renders these chunks. */
export interface NodeBeat {
  nodeId: string;
  running: { chunkId: string; epoch: number }[];
  /** What the node's cache now holds, when it changed. */
  cachedBundles?: string[];
}

/**
 * Many nodes' heartbeats in two statements: stamp the nodes, renew the leases they still hold
 * under the epoch they name. A chunk a node names but no longer holds comes back to be dropped.
 */
export async function renewLeases(sql: Sql, beats: NodeBeat[], now: Date, leaseMs: number): Promise<{ cancel: string[] }[]> {
  await sql.query(`update nodes set last_heartbeat_at = $2 where id = any($1::uuid[])`, [[...new Set(beats.map((b) => b.nodeId))], now]);
  const caches = beats.filter((b) => b.cachedBundles);
  if (caches.length) {
    await sql.query(
      `update nodes n set cached_bundles = d.bundles from unnest($1::uuid[], $2::jsonb[]) as d(id, bundles) where n.id = d.id`,
      [caches.map((b) => b.nodeId), caches.map((b) => JSON.stringify(b.cachedBundles))],
    );
  }
  const held = beats.flatMap((b) => b.running.map((r) => ({ ...r, nodeId: b.nodeId })));
  if (held.length === 0) return beats.map(() => ({ cancel: [] }));
  const renewed = await sql.query<{ id: string; node_id: string }>(
    `update chunks c set lease_expires_at = $4
       from unnest($1::uuid[], $2::uuid[], $3::int[]) as d(id, node_id, epoch)
      where c.id = d.id and c.node_id = d.node_id and c.epoch = d.epoch and c.state = any($5::text[])
     returning c.id, c.node_id`,
    [held.map((h) => h.chunkId), held.map((h) => h.nodeId), held.map((h) => h.epoch), new Date(now.getTime() + leaseMs), ACTIVE_CHUNK_STATES],
  );
  const kept = new Set(renewed.map((r) => `${r.node_id}/${r.id}`));
  return beats.map((b) => ({ cancel: b.running.filter((r) => !kept.has(`${b.nodeId}/${r.chunkId}`)).map((r) => r.chunkId) }));
}
