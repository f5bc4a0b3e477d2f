import type { Job } from '@cloudexport/shared';
import { ago, dateTime, duration, usd } from '../format/format.js';
import { etaText } from '../jobs/job-eta.js';
import { compSize, presetLabel } from '../jobs/job-text.js';
import { jobPillClass, stateLabel } from '../jobs/state-pill.js';
import { JobActions } from './job-actions.js';
import { ProgressBar } from './progress-bar.js';

export interface JobTableProps {
  jobs: readonly Job[];
  /** Admins: an owner column, named from this map (id → name). */
  owners?: ReadonlyMap<string, string>;
  now: number;
  onChanged: (job: Job) => void;
}

// state and progress come first: on a phone they show before the table scrolls sideways
/** Jobs with live progress, ETA, cost and their actions; rows link to the job page. */
export function JobTable({ jobs, owners, now, onChanged }: JobTableProps) {
  return (
    <div class="table-wrap">
      <table data-testid="job-table" class="job-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Progress</th>
            <th scope="col" class="num">ETA</th>
            <th scope="col" class="num">Cost / estimate</th>
            {owners && <th scope="col">Owner</th>}
            <th scope="col">Comp · preset</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} owners={owners} now={now} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JobRow({ job, owners, now, onChanged }: { job: Job; owners: ReadonlyMap<string, string> | undefined; now: number; onChanged: (job: Job) => void }) {
  return (
    <tr data-testid="job-row" data-job-id={job.id} data-state={job.state}>
      <td class="job-name">
        <a href={`/jobs/${job.id}`}>{job.name}</a>
        {job.error && (
          <div class="job-error muted" title={job.error}>
            {job.error}
          </div>
        )}
      </td>
      <td>
        <span class={`pill ${jobPillClass(job.state)}`}>{stateLabel(job.state)}</span>
      </td>
      <td>
        <ProgressBar done={job.framesDone} total={job.framesTotal} label={`Frames rendered of ${job.name}`} />
      </td>
      <td class="num eta">{etaText(job, now, duration)}</td>
      <td class="num">
        {usd(job.costUsd)} <span class="muted">/ {job.estimatedUsd === null ? '—' : usd(job.estimatedUsd)}</span>
      </td>
      {owners && <td class="nowrap">{owners.get(job.ownerId) ?? <span class="muted">{job.ownerId.slice(0, 8)}</span>}</td>}
      <td>
        <div class="nowrap">{job.comp.name}</div>
        <div class="muted small nowrap">
          {compSize(job.comp)} · <span data-testid="job-row-preset">{presetLabel(job)}</span>
        </div>
      </td>
      <td class="nowrap" title={dateTime(job.createdAt)}>
        {ago(job.createdAt, now)}
      </td>
      <td class="nowrap">
        <JobActions job={job} onChanged={onChanged} download />
      </td>
    </tr>
  );
}
