import { microsToUsd, type ApiRoutes } from '@cloudexport/shared';
import type { Handler } from '../build-router.js';
import { ATTEMPT_DAY_SQL, usagePeriod, usageSubject } from '../usage-period.js';

interface Row {
  day: string;
  job_id: string;
  job_name: string;
  micros: string | number;
  frames: string | number;
}

/**
 * What an artist's jobs were charged over the last N UTC days (admins: any user's): every day
 * with zeros, and per job, most expensive first. Frames count the frame chunks that were charged.
 */
export const getSpending: Handler<ApiRoutes['getSpending']> = async ({ em, query, principal, now }) => {
  const userId = usageSubject(principal, query.userId, 'spending');
  const period = usagePeriod(now, query.days);
  const rows = await em.getConnection().execute<Row[]>(
    `select ${ATTEMPT_DAY_SQL} as day, a.job_id, j.name as job_name, sum(a.charged_micros) as micros,
            sum(case when c.kind = 'frames' then c.frame_end - c.frame_start + 1 else 0 end) as frames
       from chunk_attempts a join jobs j on j.id = a.job_id join chunks c on c.id = a.chunk_id
      where j.owner_id = ? and a.outcome = 'done' and a.ended_at >= ? and a.ended_at < ?
      group by 1, 2, 3`,
    [userId, period.from, period.until],
  );
  const byDay = new Map(period.days.map((day) => [day, { micros: 0, frames: 0 }]));
  const byJob = new Map<string, { jobId: string; jobName: string; micros: number; frames: number }>();
  let total = 0;
  for (const r of rows) {
    const micros = Number(r.micros);
    const frames = Number(r.frames);
    total += micros;
    const day = byDay.get(r.day);
    if (day) {
      day.micros += micros;
      day.frames += frames;
    }
    const job = byJob.get(r.job_id) ?? { jobId: r.job_id, jobName: r.job_name, micros: 0, frames: 0 };
    job.micros += micros;
    job.frames += frames;
    byJob.set(r.job_id, job);
  }
  return {
    totalUsd: microsToUsd(total),
    byDay: [...byDay].map(([day, d]) => ({ day, usd: microsToUsd(d.micros), frames: d.frames })),
    byJob: [...byJob.values()]
      .sort((a, b) => b.micros - a.micros || a.jobName.localeCompare(b.jobName))
      .map((j) => ({ jobId: j.jobId, jobName: j.jobName, usd: microsToUsd(j.micros), frames: j.frames })),
  };
};
