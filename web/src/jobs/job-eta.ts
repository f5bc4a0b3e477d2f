import type { Job } from '@cloudexport/shared';
import { isTerminalJobState } from '@cloudexport/shared';

type EtaJob = Pick<Job, 'state' | 'framesDone' | 'framesTotal' | 'startedAt'>;

/**
 * Seconds until a running job is done, from its own pace since its first chunk went out:
 * remaining frames / (frames done / seconds elapsed). Null while there is no pace yet (nothing
 * rendered, not started) and once the job has ended.
 */
export function jobEtaSeconds(job: EtaJob, now: number): number | null {
  if (isTerminalJobState(job.state) || !job.startedAt) return null;
  const remaining = Math.max(0, job.framesTotal - job.framesDone);
  if (remaining === 0) return 0;
  const elapsed = (now - Date.parse(job.startedAt)) / 1000;
  if (!(elapsed > 0) || job.framesDone <= 0) return null;
  return remaining / (job.framesDone / elapsed);
}

/** The ETA as people read it: "—" before there is a pace, "done" at the end. */
export function etaText(job: EtaJob, now: number, format: (seconds: number) => string): string {
  if (job.state === 'COMPLETED') return 'done';
  if (isTerminalJobState(job.state)) return '—';
  const eta = jobEtaSeconds(job, now);
  if (eta === null) return job.startedAt ? 'measuring…' : 'waiting for a node';
  return eta === 0 ? 'finishing' : format(eta);
}
