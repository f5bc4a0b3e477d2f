import { AckCode, assertChunkTransition, ChunkState, type Ack, type ChunkDone, type ChunkProgress } from '@cloudexport/shared';
import type { ChunkRow, NodeRow } from '../db/entities/index.js';
import type { Sql } from '../db/raw-sql.js';
import { chunkFromRow, nodeFromRow } from '../db/row-mappers.js';
import { chargeDoneAttempts } from './attempt-charge.js';
import { fencingRefusal } from './fencing.js';

/** A progress or done report from the node holding a chunk, as the agent sent it. */
export type Report = { kind: 'progress'; nodeId: string; report: ChunkProgress } | { kind: 'done'; nodeId: string; report: ChunkDone };

/** What became of one report: an answer for the agent, or a miscounted done to fail the slow way. */
export type ReportOutcome = { ack: Ack; jobId?: string } | { miscounted: { nodeId: string; chunkId: string; epoch: number; message: string } };

export interface AppliedReports {
  outcomes: ReportOutcome[];
  /** Chunks as committed, one per chunk touched. */
  chunks: ChunkRow[];
  /** Nodes released by a done. */
  nodes: NodeRow[];
  progress: { jobId: string; chunkId: string; nodeId: string; chunkFramesDone: number; lastFrame: number | null }[];
}

const FORWARD: ChunkState[] = [ChunkState.ASSIGNED, ChunkState.DOWNLOADING, ChunkState.RENDERING, ChunkState.UPLOADING, ChunkState.DONE];

/**
 * Moves a chunk forward to `target` one legal step at a time: coalesced reports may skip
 * steps (RENDERING straight to done), but never go back (RENDERING → DOWNLOADING throws).
 */
export function advance(chunk: { state: ChunkState }, target: ChunkState): void {
  const from = FORWARD.indexOf(chunk.state);
  const to = FORWARD.indexOf(target);
  if (from < 0 || to <= from) assertChunkTransition(chunk.state, target);
  for (let i = from + 1; i <= to; i++) {
    assertChunkTransition(chunk.state, FORWARD[i]!);
    chunk.state = FORWARD[i]!;
  }
}

/**
 * Applies many agents' reports in one transaction. Each is fenced — applied only if its node
 * holds the chunk under that epoch — and moved through the shared transition table, in the
 * order the reports arrived; the writes are one statement per table, whatever the batch size.
 */
export async function applyReports(sql: Sql, reports: Report[], now: Date, leaseMs: number): Promise<AppliedReports> {
  const ids = [...new Set(reports.map((r) => r.report.chunkId))];
  const rows = await sql.query(`select * from chunks where id = any($1::uuid[]) order by id for update`, [ids]);
  const chunks = new Map(rows.map((r) => [r.id as string, chunkFromRow(r)]));
  const dirty = new Set<ChunkRow>();
  const finished: { chunk: ChunkRow; nodeId: string }[] = [];
  const progress: AppliedReports['progress'] = [];
  const outcomes = reports.map((r): ReportOutcome => {
    const { chunkId, epoch } = r.report;
    const chunk = chunks.get(chunkId);
    const refusal = fencingRefusal(chunk, r.nodeId, r.report);
    if (refusal || !chunk) return { ack: refusal! };
    const frames = chunk.frameEnd - chunk.frameStart + 1;
    try {
      if (r.kind === 'progress') {
        if (chunk.state !== r.report.state) advance(chunk, r.report.state);
        chunk.framesDone = Math.min(r.report.framesDone, frames);
        chunk.leaseExpiresAt = new Date(now.getTime() + leaseMs);
        progress.push({ jobId: chunk.jobId, chunkId, nodeId: r.nodeId, chunkFramesDone: chunk.framesDone, lastFrame: r.report.lastFrame });
      } else {
        if (r.report.frames !== frames) {
          return { miscounted: { nodeId: r.nodeId, chunkId, epoch, message: `Reported ${r.report.frames} frames for a chunk of ${frames}.` } };
        }
        advance(chunk, ChunkState.DONE);
        chunk.framesDone = frames;
        chunk.leaseExpiresAt = null;
        chunk.error = null;
        finished.push({ chunk, nodeId: r.nodeId });
      }
    } catch (err) {
      return { ack: { ok: false, code: AckCode.invalid, message: err instanceof Error ? err.message : String(err) } };
    }
    chunk.updatedAt = now;
    dirty.add(chunk);
    return { ack: { ok: true }, jobId: chunk.jobId };
  });

  const changed = [...dirty];
  if (changed.length) {
    await sql.query(
      `update chunks c set state = d.state, frames_done = d.frames_done, lease_expires_at = d.lease, error = d.error, updated_at = $6
         from unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[]) as d(id, state, frames_done, lease, error)
        where c.id = d.id`,
      [changed.map((c) => c.id), changed.map((c) => c.state), changed.map((c) => c.framesDone), changed.map((c) => c.leaseExpiresAt ?? null), changed.map((c) => c.error ?? null), now],
    );
  }
  let nodes: NodeRow[] = [];
  if (finished.length) {
    await chargeDoneAttempts(sql, finished.map((f) => f.chunk), now);
    // the node holds nothing now: idle again (or still draining / disabled), and its failure streak ends
    const released = await sql.query(
      `update nodes n set current_chunk_id = case when n.current_chunk_id = d.chunk_id then null else n.current_chunk_id end,
                          state = case when n.state = 'busy' then 'online' else n.state end,
                          consecutive_failures = 0, chunks_done = n.chunks_done + 1, updated_at = $3
         from unnest($1::uuid[], $2::uuid[]) as d(id, chunk_id)
        where n.id = d.id
       returning n.*`,
      [finished.map((f) => f.nodeId), finished.map((f) => f.chunk.id), now],
    );
    nodes = released.map(nodeFromRow);
  }
  return { outcomes, chunks: changed, nodes, progress };
}
