import { earnedMicros, microsToUsd, PROVIDER_SHARE, type ApiRoutes } from '@cloudexport/shared';
import type { Handler } from '../build-router.js';
import { ATTEMPT_DAY_SQL, usagePeriod, usageSubject } from '../usage-period.js';

interface Row {
  day: string;
  node_id: string;
  node_name: string;
  micros: string | number;
  chunks: string | number;
  seconds: string | number;
}

/**
 * What a provider's nodes earned over the last N UTC days (admins: any user's): PROVIDER_SHARE
 * of their done chunks' charges, every day with zeros, and per node with its GPU minutes.
 * Shares are taken of each sum, so the figures match the nodes' earningsUsd to the micro-dollar.
 */
export const getEarnings: Handler<ApiRoutes['getEarnings']> = async ({ em, query, principal, now }) => {
  const userId = usageSubject(principal, query.userId, 'earnings');
  const period = usagePeriod(now, query.days);
  const rows = await em.getConnection().execute<Row[]>(
    `select ${ATTEMPT_DAY_SQL} as day, a.node_id, n.name as node_name, sum(a.charged_micros) as micros,
            count(*) as chunks, coalesce(sum(a.gpu_seconds), 0) as seconds
       from chunk_attempts a join nodes n on n.id = a.node_id
      where n.owner_id = ? and a.outcome = 'done' and a.ended_at >= ? and a.ended_at < ?
      group by 1, 2, 3`,
    [userId, period.from, period.until],
  );
  const byDay = new Map(period.days.map((day) => [day, { micros: 0, chunks: 0 }]));
  const byNode = new Map<string, { nodeId: string; nodeName: string; micros: number; chunks: number; seconds: number }>();
  let total = 0;
  for (const r of rows) {
    const micros = Number(r.micros);
    const chunks = Number(r.chunks);
    total += micros;
    const day = byDay.get(r.day);
    if (day) {
      day.micros += micros;
      day.chunks += chunks;
    }
    const node = byNode.get(r.node_id) ?? { nodeId: r.node_id, nodeName: r.node_name, micros: 0, chunks: 0, seconds: 0 };
    node.micros += micros;
    node.chunks += chunks;
    node.seconds += Number(r.seconds);
    byNode.set(r.node_id, node);
  }
  const usd = (charged: number) => microsToUsd(earnedMicros(charged));
  return {
    totalUsd: usd(total),
    share: PROVIDER_SHARE,
    byDay: [...byDay].map(([day, d]) => ({ day, usd: usd(d.micros), chunks: d.chunks })),
    byNode: [...byNode.values()]
      .sort((a, b) => b.micros - a.micros || a.nodeName.localeCompare(b.nodeName))
      .map((n) => ({ nodeId: n.nodeId, nodeName: n.nodeName, usd: usd(n.micros), chunks: n.chunks, gpuMinutes: Math.round((n.seconds / 60) * 1000) / 1000 })),
  };
};
