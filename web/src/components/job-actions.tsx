import type { Job } from '@cloudexport/shared';
import { call } from '../api/client.js';
import { canCancel, canRetry } from '../jobs/state-pill.js';
import { ConfirmButton } from './confirm-button.js';
import { DownloadLink } from './job-deliverable.js';

/** Cancel while the job runs, Retry once it failed or was cancelled, Download once it completed; `onChanged` gets the job the server answers. */
export function JobActions({ job, onChanged, download }: { job: Pick<Job, 'id' | 'name' | 'state' | 'preset' | 'custom'>; onChanged: (job: Job) => void; download?: boolean }) {
  return (
    <span class="job-actions">
      {download && job.state === 'COMPLETED' && <DownloadLink job={job} label="Download" testId="job-row-download" />}
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
