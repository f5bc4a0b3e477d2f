import type { AttemptOutcome } from '@cloudexport/shared';

/** What each failure reason means to a node's owner, and what usually helps. Unknown codes show as they are. */
const REASONS: Record<string, string> = {
  aerender_error: 'aerender reported an error',
  exit_code: 'aerender exited with an error code',
  quiet_timeout: 'aerender went quiet for too long and was stopped',
  total_timeout: 'the chunk took longer than allowed',
  missing_frames: 'frames were missing or empty after rendering',
  cancelled: 'the job was cancelled',
  spawn_failed: 'aerender could not be started (check the After Effects install)',
  bundle: 'the project bundle could not be downloaded or opened',
  no_engine: 'no After Effects version on this node can render the project',
  ffmpeg: 'ffmpeg failed or is missing',
  verification: 'the finished file failed its check',
  internal: 'an internal error on the node',
};

export function reasonText(reason: string | null): string {
  if (!reason) return '';
  return REASONS[reason] ?? reason.replaceAll('_', ' ');
}

export const OUTCOME_PILL: Record<AttemptOutcome, string> = { running: 'run', done: 'ok', failed: 'bad', lost: 'warn', cancelled: '' };
