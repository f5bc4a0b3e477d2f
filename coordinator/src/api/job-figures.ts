import type { EntityManager } from '@mikro-orm/postgresql';
import type { Job } from '@cloudexport/shared';
import type { JobRow } from '../db/entities/index.js';
import { jobDto } from './dto.js';

/** What a job's row does not hold: summed from its chunks and attempts when it is read. */
export interface JobFigures {
  framesDone: number;
  /** Charged so far: the sum of its done attempts' charges. */
  costMicros: number;
  /** When its first chunk went to a node. */
  startedAt: Date | null;
}

/** A job just created: nothing rendered, charged or started. */
export const NEW_JOB_FIGURES: JobFigures = { framesDone: 0, costMicros: 0, startedAt: null };

/** The figures of many jobs in one statement (three index probes per job), for lists of hundreds. */
export async function jobFigures(em: EntityManager, jobIds: string[]): Promise<Map<string, JobFigures>> {
  const ids = [...new Set(jobIds)];
  if (ids.length === 0) return new Map();
  const rows = await em.getConnection().execute<{ id: string; frames: string | number; cost: string | number; started_ms: string | number | null }[]>(
    `select j.id,
            (select coalesce(sum(c.frames_done), 0) from chunks c where c.job_id = j.id and c.kind = 'frames') as frames,
            (select coalesce(sum(a.charged_micros), 0) from chunk_attempts a where a.job_id = j.id) as cost,
            (select floor(extract(epoch from min(a.started_at)) * 1000) from chunk_attempts a where a.job_id = j.id) as started_ms
       from jobs j where j.id in (${ids.map(() => '?').join(', ')})`,
    ids,
    'all',
    em.getTransactionContext(),
  );
  return new Map(
    rows.map((r) => [r.id, { framesDone: Number(r.frames), costMicros: Number(r.cost), startedAt: r.started_ms === null ? null : new Date(Number(r.started_ms)) }]),
  );
}

/** Jobs as the API shows them, with their figures loaded in one go. */
export async function jobDtos(em: EntityManager, jobs: JobRow[]): Promise<Job[]> {
  const figures = await jobFigures(em, jobs.map((j) => j.id));
  return jobs.map((j) => jobDto(j, figures.get(j.id) ?? NEW_JOB_FIGURES));
}
