import type { MikroORM } from '@mikro-orm/postgresql';
import { CHUNK_STATES, deriveJobState, isTerminalJobState, type ChunkState, type JobState } from '@cloudexport/shared';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { RawSql } from '../db/raw-sql.js';
import { syncJobState, type JobSync } from './job-progress.js';

/**
 * Runs syncJobState at most once at a time per job. A request that arrives while a sync runs
 * is answered by the next run, which starts after it and so sees its commit: a job with a
 * thousand chunks finishing at once is synced a few times, not a thousand.
 */
export class JobSyncer {
  private readonly jobs = new Map<string, { running: boolean; waiting: (() => void)[] }>();

  constructor(
    private readonly orm: MikroORM,
    private readonly sql: RawSql,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onSync: (sync: JobSync) => void,
  ) {}

  /** Resolves once a sync that started after this call has finished. */
  request(jobId: string): Promise<void> {
    let entry = this.jobs.get(jobId);
    if (!entry) this.jobs.set(jobId, (entry = { running: false, waiting: [] }));
    const done = new Promise<void>((resolve) => entry.waiting.push(resolve));
    if (!entry.running) void this.run(jobId, entry);
    return done;
  }

  private async run(jobId: string, entry: { running: boolean; waiting: (() => void)[] }): Promise<void> {
    entry.running = true;
    while (entry.waiting.length) {
      const answered = entry.waiting.splice(0);
      try {
        if (await this.behind(jobId)) this.onSync(await syncJobState(this.orm, jobId, this.clock.now()));
      } catch (err) {
        // the sweeper's reconciliation catches the job up
        this.log.warn({ err, jobId }, 'job state sync failed');
      }
      for (const resolve of answered) resolve();
    }
    entry.running = false;
    this.jobs.delete(jobId);
  }

  /** One cheap statement: does the job's state differ from what its chunks say? */
  private async behind(jobId: string): Promise<boolean> {
    const [row] = await this.sql.query<{ state: JobState; present: ChunkState[]; assembly: ChunkState | null }>(
      `select j.state, array(select s.state from unnest($2::text[]) as s(state)
                              where exists (select 1 from chunks c where c.job_id = j.id and c.state = s.state and c.kind <> 'assemble'))::text[] as present,
              (select a.state from chunks a where a.job_id = j.id and a.kind = 'assemble') as assembly
         from jobs j where j.id = $1`,
      [jobId, CHUNK_STATES],
    );
    return !!row && !isTerminalJobState(row.state) && deriveJobState(row.present, row.assembly) !== row.state;
  }
}
