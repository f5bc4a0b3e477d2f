import type { ChunkRow, NodeRow } from './entities/index.js';

/**
 * Rows read with plain SQL (snake_case columns) as the entity shapes the DTOs take. The pool's
 * driver is set up by MikroORM to hand timestamps over as text: `*_at` columns become Dates.
 */
const names = new Map<string, string>();
const camel = (k: string) => names.get(k) ?? names.set(k, k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).get(k)!;

function camelize<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const k in row) {
    const v = row[k];
    out[camel(k)] = typeof v === 'string' && k.endsWith('_at') ? new Date(v) : v;
  }
  return out as T;
}

export const chunkFromRow = (row: Record<string, unknown>): ChunkRow => camelize<ChunkRow>(row);
export const nodeFromRow = (row: Record<string, unknown>): NodeRow => camelize<NodeRow>(row);
