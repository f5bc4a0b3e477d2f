import type { FrameProgress, Job } from '@cloudexport/shared';
import { useLive } from '../live/live-socket.js';

/** Artists may not watch the fleet: they subscribe to each shown job instead, up to this many. */
export const MAX_WATCHED_JOBS = 50;

interface Handlers {
  onJob(job: Job): void;
  onProgress(progress: FrameProgress): void;
}

/**
 * Live updates for a set of jobs: one `{ jobId }` subscription each (through useLive, which
 * counts holders and renews them after a reconnect). A component rather than a hook because
 * hooks cannot be called once per item of a changing list; it renders nothing.
 */
export function WatchJobs({ jobIds, onJob, onProgress }: { jobIds: readonly string[] } & Handlers) {
  return (
    <>
      {jobIds.slice(0, MAX_WATCHED_JOBS).map((id) => (
        <WatchJob key={id} jobId={id} onJob={onJob} onProgress={onProgress} />
      ))}
    </>
  );
}

function WatchJob({ jobId, onJob, onProgress }: { jobId: string } & Handlers) {
  // every watcher hears every event of the socket: each keeps only its own job's
  useLive(
    { jobId },
    {
      job: (job) => job.id === jobId && onJob(job),
      progress: (p) => p.jobId === jobId && onProgress(p),
      // the coordinator holds the next preview until this one is acknowledged: take it, unused
      'job:preview': (preview, ack) => preview.jobId === jobId && ack(),
    },
  );
  return null;
}
