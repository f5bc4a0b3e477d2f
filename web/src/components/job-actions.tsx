import type { Job } from '@cloudexport/shared';
import { call } from '../api/client.js';
import { canCancel, canRetry } from '../jobs/state-pill.js';
import { ConfirmButton } from './confirm-button.js';

/** Cancel while the job runs, Retry once it failed or was cancelled; `onChanged` gets the job the server answers. */
export function JobActions({ job, onChanged }: { job: Pick<Job, 'id' | 'name' | 'state'>; onChanged: (job: Job) => void }) {
  return (
    <span class="job-actions">
      {canCancel(job.state) && (
        <ConfirmButton
          label="Cancel"
          confirm={`Cancel “${job.name}”?`}
          danger
          testId="job-cancel"
          action={async () => onChanged(await call('cancelJob', { params: { id: job.id } }))}
        />
      )}
      {canRetry(job.state) && (
        <ConfirmButton label="Retry" confirm="Render its unfinished frames again?" testId="job-retry" action={async () => onChanged(await call('retryJob', { params: { id: job.id } }))} />
      )}
    </span>
  );
}
