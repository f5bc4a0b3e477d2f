import { canRetryJob, isTerminalJobState, type ChunkState, type JobState } from '@cloudexport/shared';

/** The pill class (styles.css: ok, run, busy, warn, bad) a job state shows in. */
export function jobPillClass(state: JobState): string {
  switch (state) {
    case 'COMPLETED':
      return 'ok';
    case 'RENDERING':
    case 'ASSEMBLING':
      return 'run';
    case 'DOWNLOADING':
    case 'UPLOADING':
      return 'busy';
    case 'FAILED':
    case 'RETRY':
      return 'warn';
    case 'PERMANENTLY_FAILED':
      return 'bad';
    default:
      // CREATED, QUEUED, CANCELLED: waiting or over, neutral
      return '';
  }
}

export function chunkPillClass(state: ChunkState): string {
  switch (state) {
    case 'DONE':
      return 'ok';
    case 'RENDERING':
      return 'run';
    case 'ASSIGNED':
    case 'DOWNLOADING':
    case 'UPLOADING':
      return 'busy';
    case 'FAILED':
      return 'bad';
    default:
      return '';
  }
}

/** Jobs that may be run again (route retryJob): the coordinator's own rule. */
export const canRetry = (state: JobState): boolean => canRetryJob(state);

/** Jobs that may still be cancelled: any not yet over. */
export const canCancel = (state: JobState): boolean => !isTerminalJobState(state);

/** "PERMANENTLY_FAILED" reads as "permanently failed". */
export function stateLabel(state: string): string {
  return state.toLowerCase().replace(/_/g, ' ');
}
