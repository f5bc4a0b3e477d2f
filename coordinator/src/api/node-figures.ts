import type { EntityManager } from '@mikro-orm/postgresql';
import type { RenderNode } from '@cloudexport/shared';
import type { NodeRow } from '../db/entities/index.js';
import { nodeDto } from './dto.js';
import { isAdmin, type Principal } from './principal.js';

/** What a node's row does not hold: the chunk it renders now, with its job and frames. */
export interface NodeFigures {
  currentChunk: RenderNode['currentChunk'];
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** The figures of many nodes in one statement, whatever their number (the fleet page lists a thousand). */
export async function nodeFigures(em: EntityManager, nodes: Pick<NodeRow, 'id' | 'currentChunkId'>[]): Promise<Map<string, NodeFigures>> {
  const out = new Map<string, NodeFigures>();
  if (nodes.length === 0) return out;
  const conn = em.getConnection();
  const ctx = em.getTransactionContext();
  const chunkIds = [...new Set(nodes.map((n) => n.currentChunkId).filter((id): id is string => !!id))];
  const chunks = chunkIds.length
    ? await conn.execute<{ id: string; job_id: string; job_name: string; kind: string; frame_start: number; frame_end: number; frames_done: number }[]>(
        `select c.id, c.job_id, j.name as job_name, c.kind, c.frame_start, c.frame_end, c.frames_done
           from chunks c join jobs j on j.id = c.job_id where c.id in (${placeholders(chunkIds.length)})`,
        chunkIds,
        'all',
        ctx,
      )
    : [];
  const chunkOf = new Map(
    chunks.map((c) => [c.id, { id: c.id, jobId: c.job_id, jobName: c.job_name, kind: c.kind, frameStart: c.frame_start, frameEnd: c.frame_end, framesDone: c.frames_done }]),
  );
  for (const n of nodes) {
    out.set(n.id, { currentChunk: (n.currentChunkId && chunkOf.get(n.currentChunkId)) || null });
  }
  return out;
}

/** Nodes as the API shows them, with their figures loaded in one go; `viewer` given, as they may see them. */
export async function nodeDtos(em: EntityManager, nodes: NodeRow[], now: Date, viewer?: Principal): Promise<RenderNode[]> {
  const figures = await nodeFigures(em, nodes);
  const dtos = nodes.map((n) => nodeDto(n, now, figures.get(n.id)));
  return viewer && !isAdmin(viewer) ? dtos.map(asOwnerSees) : dtos;
}

/** Whose job a node renders is not its owner's business: the job's name stays with admins. */
export function asOwnerSees(node: RenderNode): RenderNode {
  return node.currentChunk ? { ...node, currentChunk: { ...node.currentChunk, jobName: '' } } : node;
}
