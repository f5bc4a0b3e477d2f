import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChunkKind } from '@cloudexport/shared';
import { JobOutputEntity, type JobOutputRow } from '../db/entities/index.js';

export interface FinishedOutput {
  row: JobOutputRow;
  chunkIndex: number;
  /** What made it: a frame chunk, the audio render or the assembly (the deliverable). */
  kind: ChunkKind;
}

// Outputs count once their chunk is DONE, and only those uploaded under the epoch it finished in:
// what a node that lost the chunk had begun is not the job's.
const FINISHED = `from job_outputs o join chunks c on c.id = o.chunk_id and c.epoch = o.epoch where o.job_id = ? and c.state = 'DONE'`;

/** The job's rendered files, in chunk order then by name (byte order, whatever the database's collation). */
export async function finishedOutputs(em: EntityManager, jobId: string): Promise<FinishedOutput[]> {
  const rows = await em.execute<Record<string, unknown>[]>(`select o.*, c.index as chunk_index, c.kind as chunk_kind ${FINISHED} order by c.index, o.name collate "C"`, [jobId]);
  return rows.map(toOutput(em));
}

/** One rendered file of the job by name, or null. */
export async function finishedOutput(em: EntityManager, jobId: string, name: string): Promise<FinishedOutput | null> {
  const rows = await em.execute<Record<string, unknown>[]>(`select o.*, c.index as chunk_index, c.kind as chunk_kind ${FINISHED} and o.name = ? order by c.index limit 1`, [jobId, name]);
  return rows.map(toOutput(em))[0] ?? null;
}

/** The job's deliverable, once its assembly is done; null before (or for a job without one). */
export async function finishedDeliverable(em: EntityManager, jobId: string): Promise<FinishedOutput | null> {
  const rows = await em.execute<Record<string, unknown>[]>(`select o.*, c.index as chunk_index, c.kind as chunk_kind ${FINISHED} and c.kind = 'assemble' limit 1`, [jobId]);
  return rows.map(toOutput(em))[0] ?? null;
}

const toOutput =
  (em: EntityManager) =>
  ({ chunk_index, chunk_kind, ...row }: Record<string, unknown>): FinishedOutput => ({ row: em.map(JobOutputEntity, row), chunkIndex: Number(chunk_index), kind: chunk_kind as ChunkKind });
