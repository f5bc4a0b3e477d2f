import type { Job, JobOutput } from '@cloudexport/shared';
import { resolvePreset } from '@cloudexport/shared';
import { dateTime } from '../format/format.js';

function size(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}

/** What the download is, and its file extension: the preset's container, or a tar of the frames for an image sequence. */
function fileType(job: Pick<Job, 'preset' | 'custom'>): { label: string; extension: string } {
  try {
    const preset = resolvePreset(job.preset, job.custom ?? undefined);
    if (preset.codec === 'image_sequence') return { label: 'image sequence (tar)', extension: 'tar' };
    return { label: `${preset.container.toUpperCase()} (${preset.codec})`, extension: preset.container };
  } catch {
    return { label: 'movie', extension: 'mp4' };
  }
}

/** A completed job's deliverable as a link that downloads it. */
export function DownloadLink({ job, label, primary, testId }: { job: Pick<Job, 'id' | 'name' | 'preset' | 'custom'>; label: string; primary?: boolean; testId: string }) {
  // a named download: preact-iso routes a click on an <a download=""> inside the app instead of
  // letting the browser download it (the server's Content-Disposition name still wins)
  const fileName = `${job.name.replace(/[^A-Za-z0-9 ._-]+/g, '_').trim() || 'deliverable'}.${fileType(job).extension}`;
  return (
    <a class={primary ? 'button primary' : 'button'} download={fileName} href={`/api/v1/jobs/${encodeURIComponent(job.id)}/deliverable`} data-testid={testId}>
      {label}
    </a>
  );
}

/** The finished movie, once the job completed; sizes come from the job's outputs when it lists the deliverable. */
export function JobDeliverable({ job, outputs }: { job: Job; outputs: readonly JobOutput[] | null }) {
  const deliverable = outputs?.find((o) => o.kind === 'assemble');
  const type = fileType(job);
  return (
    <div class="card deliverable">
      <DownloadLink job={job} label="Download the result" primary testId="job-download" />{' '}
      <span class="muted">
        {type.label}
        {deliverable && (
          <>
            , <span class="num">{size(deliverable.size)}</span>, ready {dateTime(deliverable.createdAt)}
          </>
        )}
      </span>
      <p class="hint">Kept encrypted for a limited time after the job finished (7 days unless your coordinator says otherwise); only you and admins can download it.</p>
    </div>
  );
}

/**
 * Where the download appears, held while the job runs: the same block, so the page below does not
 * jump when the job completes.
 */
export function PendingDeliverable({ job }: { job: Job }) {
  return (
    <div class="card deliverable" data-testid="job-download-pending">
      <button type="button" class="primary" disabled>
        Download the result
      </button>{' '}
      <span class="muted">{fileType(job).label}, once every frame is rendered and assembled</span>
      <p class="hint">It appears here by itself; you can leave this page and come back, or follow the job from the CLI.</p>
    </div>
  );
}
