import type { JobPreview } from '@cloudexport/shared';

/** A live preview as the page holds it; `renderedAt` (when the node rendered it) is newer than some coordinators. */
export type ShownPreview = Pick<JobPreview, 'jobId' | 'frame' | 'width' | 'height' | 'receivedAt'> & { src: string; renderedAt: string | null };

export function shownPreview(preview: JobPreview): ShownPreview {
  const { jobId, frame, width, height, receivedAt, jpeg } = preview;
  const renderedAt = preview.renderedAt ?? null;
  return { jobId, frame, width, height, receivedAt, renderedAt, src: `data:image/jpeg;base64,${jpeg}` };
}

/**
 * The job's latest rendered frame. Before the first live one arrives over the socket it tries the
 * coordinator's stored latest (GET …/preview), and hides that when there is none (404).
 */
export function JobPreviewFrame({ jobId, preview, running, fallbackFailed, onFallbackError }: { jobId: string; preview: ShownPreview | null; running: boolean; fallbackFailed: boolean; onFallbackError: () => void }) {
  if (preview) {
    return (
      <figure class="job-preview">
        <img
          data-testid="job-preview"
          data-frame={preview.frame}
          src={preview.src}
          width={preview.width}
          height={preview.height}
          alt={`Frame ${preview.frame} as rendered`}
          onLoad={() => performance.mark('preview-shown', { detail: { jobId: preview.jobId, frame: preview.frame, receivedAt: preview.receivedAt, renderedAt: preview.renderedAt } })}
        />
        <figcaption class="muted">
          Frame <span class="num">{preview.frame}</span>
          {running ? ', live' : ', the last one seen'}
        </figcaption>
      </figure>
    );
  }
  if (running && !fallbackFailed) {
    return (
      <figure class="job-preview">
        <img data-testid="job-preview-latest" src={`/api/v1/jobs/${encodeURIComponent(jobId)}/preview`} alt="The latest rendered frame" onError={onFallbackError} />
        <figcaption class="muted">Latest frame</figcaption>
      </figure>
    );
  }
  return (
    <div class={running ? 'job-preview job-preview-empty muted' : 'job-preview job-preview-empty ended muted'}>
      {running ? 'The first rendered frame shows here as soon as a node finishes it.' : 'No preview: previews show only while the job renders.'}
    </div>
  );
}
