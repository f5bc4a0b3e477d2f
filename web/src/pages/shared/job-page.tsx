import { isActiveChunkState, isTerminalJobState, type Chunk, type ChunkAttempt, type Job, type JobOutput, type JobPreview, type LiveWarning } from '@cloudexport/shared';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { call } from '../../api/client.js';
import { JobActions } from '../../components/job-actions.js';
import { JobChunks } from '../../components/job-chunks.js';
import { JobDeliverable, PendingDeliverable } from '../../components/job-deliverable.js';
import { JobFrameStrip } from '../../components/job-frame-strip.js';
import { JobPreviewFrame, shownPreview, type ShownPreview } from '../../components/job-preview.js';
import { JobProblems, jobProblems } from '../../components/job-problems.js';
import { JobTimeline } from '../../components/job-timeline.js';
import { PageHeader } from '../../components/layout.js';
import { LiveIndicator } from '../../components/node-live-indicator.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { ErrorState, Loading } from '../../components/states.js';
import { useLoad } from '../../components/use-load.js';
import { dateTime, duration, usd } from '../../format/format.js';
import { etaText } from '../../jobs/job-eta.js';
import { compLabel, presetLabel } from '../../jobs/job-text.js';
import { applyChunk, applyChunkProgress, applyJob, applyJobProgress } from '../../jobs/live-reducers.js';
import { canRetry, jobPillClass, stateLabel } from '../../jobs/state-pill.js';
import { useFrameBatch } from '../../jobs/use-frame-batch.js';
import { useNow } from '../../jobs/use-now.js';
import { useLive } from '../../live/live-socket.js';
import { useReloadOnReconnect } from '../../live/use-reload-on-reconnect.js';

interface JobData {
  job: Job;
  chunks: readonly Chunk[];
}

/** Live warnings kept on the page; older ones are in the chunks' stored warnings anyway. */
const MAX_LIVE_WARNINGS = 200;
/** Attempts change when chunks move between nodes: reloaded at most this often while events arrive. */
const ATTEMPTS_RELOAD_MS = 2000;

/** /jobs/:id — one job live: progress, preview, chunks, frames, timeline per node, problems, result. */
export function JobPage({ params }: { params?: Record<string, string> }) {
  const id = params?.id ?? '';
  const data = useLoad<JobData>(async () => {
    const [job, chunks] = await Promise.all([call('getJob', { params: { id } }), call('listJobChunks', { params: { id } })]);
    return { job, chunks: chunks.items };
  }, [id]);
  const attempts = useLoad<readonly ChunkAttempt[]>(async () => (await call('listJobAttempts', { params: { id } })).items, [id]);
  const [preview, setPreview] = useState<ShownPreview | null>(null);
  const [fallbackFailed, setFallbackFailed] = useState(false);
  const [warnings, setWarnings] = useState<readonly LiveWarning[]>([]);
  useEffect(() => {
    setPreview(null);
    setFallbackFailed(false);
    setWarnings([]);
  }, [id]);

  // attempts follow chunk moves: one reload per burst of chunk events
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reloadAttemptsSoon = () => {
    if (reloadTimer.current) return;
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      attempts.reload();
    }, ATTEMPTS_RELOAD_MS);
  };
  useEffect(() => () => void (reloadTimer.current && clearTimeout(reloadTimer.current)), []);

  const push = useFrameBatch<JobData>(data.set);
  const live = useLive(id ? { jobId: id } : null, {
    job: (job) => job.id === id && push((d) => ({ ...d, job: applyJob([d.job], job)[0]! })),
    chunk: (chunk) => {
      if (chunk.jobId !== id) return;
      push((d) => ({ ...d, chunks: applyChunk(d.chunks, chunk) }));
      // an attempt begins when a node is assigned the chunk and ends when the chunk leaves the
      // node; downloading, rendering, uploading change no attempt
      if (chunk.state === 'ASSIGNED' || !isActiveChunkState(chunk.state)) reloadAttemptsSoon();
    },
    progress: (p) => p.jobId === id && push((d) => ({ job: applyJobProgress([d.job], p)[0]!, chunks: applyChunkProgress(d.chunks, p) })),
    warning: (w) => w.jobId === id && setWarnings((ws) => [...ws.slice(-(MAX_LIVE_WARNINGS - 1)), w]),
    'job:preview': (p: JobPreview, ack: () => void) => {
      // taken as soon as it is in hand: the coordinator sends the next only after this ack
      if (p.jobId === id) setPreview(shownPreview(p));
      ack();
    },
  });

  useReloadOnReconnect(
    live.connected,
    () => {
      data.reload();
      attempts.reload();
    },
    data.state.status === 'ready',
  );

  const job = data.state.status === 'ready' ? data.state.data.job : null;
  const outputs = useLoad<readonly JobOutput[] | null>(async () => (job?.state === 'COMPLETED' ? (await call('listJobOutputs', { params: { id } })).items : null), [id, job?.state === 'COMPLETED']);
  const running = !!job && !isTerminalJobState(job.state);
  const now = useNow(1000, running);
  const nodeNames = useMemo(() => new Map((attempts.state.status === 'ready' ? attempts.state.data : []).map((a) => [a.nodeId, a.nodeName])), [attempts.state]);

  if (data.state.status === 'loading') return <Loading what="the job" />;
  if (data.state.status === 'error') return <ErrorState what="the job" error={data.state.error} retry={data.reload} />;
  const { chunks } = data.state.data;
  const j = data.state.data.job;
  const onChanged = (next: Job) => data.set((d) => ({ ...d, job: applyJob([d.job], next)[0]! }));
  const attemptList = attempts.state.status === 'ready' ? attempts.state.data : [];
  const problems = jobProblems(chunks, attemptList, warnings, nodeNames);
  const failed = j.state === 'FAILED' || j.state === 'PERMANENTLY_FAILED';

  return (
    <>
      <PageHeader title={j.name}>
        <LiveIndicator live={live.connected && !live.refused} refused={live.refused} whenRefused="Reload the page to see where the job stands." />
        <JobActions job={j} onChanged={onChanged} />
      </PageHeader>
      {live.refused && (
        <p class="inline-error" role="alert">
          Live updates refused: {live.refused}
        </p>
      )}
      <div class="cards job-stats">
        <div class="card stat">
          <div class="label">State</div>
          <div class="value">
            <span class={`pill ${jobPillClass(j.state)}`} data-testid="job-state" data-state={j.state}>
              {j.state}
            </span>
          </div>
        </div>
        <div class="card stat">
          <div class="label">Frames</div>
          <div class="value">
            <ProgressBar done={j.framesDone} total={j.framesTotal} testId="job-progress" />
          </div>
        </div>
        <div class="card stat">
          <div class="label">ETA</div>
          <div class="value">
            <span class="num" data-testid="job-eta">
              {etaText(j, now, duration)}
            </span>
          </div>
        </div>
        <div class="card stat">
          <div class="label">Cost so far</div>
          <div class="value">
            <span class="num" data-testid="job-cost">{usd(j.costUsd)}</span>
          </div>
          <div class="muted small">estimate {j.estimatedUsd === null ? '—' : usd(j.estimatedUsd)}</div>
        </div>
      </div>

      {j.state === 'COMPLETED' && <JobDeliverable job={j} outputs={outputs.state.status === 'ready' ? outputs.state.data : null} />}
      {!failed && j.state !== 'CANCELLED' && j.state !== 'COMPLETED' && <PendingDeliverable job={j} />}
      {(failed || j.state === 'CANCELLED') && (
        <div class={`state ${failed ? 'state-error' : 'state-empty'}`} role={failed ? 'alert' : undefined} data-testid="job-failed">
          <strong>{failed ? (j.state === 'FAILED' ? 'This job failed; it is being retried.' : 'This job failed for good.') : 'This job was cancelled.'}</strong>{' '}
          {j.error ?? (failed ? 'See the errors below for what went wrong.' : '')}
          {canRetry(j.state) && (
            <p>{failed ? 'Fix what the errors below point at if it is in your project (re-export it from After Effects), then press Retry to render the unfinished frames again.' : 'Press Retry to render its unfinished frames after all.'}</p>
          )}
        </div>
      )}

      <div class="grid-2 job-top">
        <section aria-labelledby="job-preview-h">
          <h2 id="job-preview-h">Preview</h2>
          <JobPreviewFrame jobId={j.id} preview={preview} running={running} fallbackFailed={fallbackFailed} onFallbackError={() => setFallbackFailed(true)} />
        </section>
        <section aria-labelledby="job-facts-h">
          <h2 id="job-facts-h">Details</h2>
          <dl class="facts card">
            <dt>Comp</dt>
            <dd>{compLabel(j.comp)}</dd>
            <dt>Preset</dt>
            <dd>{presetLabel(j)}</dd>
            <dt>Frames</dt>
            <dd class="num-left">
              {j.comp.frameStart}–{j.comp.frameEnd} ({j.framesTotal} frames)
            </dd>
            <dt>Chunks</dt>
            <dd>
              {j.chunkCount} of up to {j.chunkSize} frames
            </dd>
            <dt>Priority</dt>
            <dd>{j.priority}</dd>
            <dt>Complexity</dt>
            <dd>
              {j.complexity}
              {j.thirdPartyPlugins ? ', third-party plugins' : ''}
            </dd>
            {j.maxTier && (
              <>
                <dt>Highest tier</dt>
                <dd>{j.maxTier}</dd>
              </>
            )}
            <dt>Retries</dt>
            <dd>{j.retries}</dd>
            <dt>Created</dt>
            <dd>{dateTime(j.createdAt)}</dd>
            <dt>Started</dt>
            <dd>{j.startedAt ? dateTime(j.startedAt) : 'not yet'}</dd>
            <dt>Finished</dt>
            <dd>{j.finishedAt ? dateTime(j.finishedAt) : '—'}</dd>
          </dl>
        </section>
      </div>

      <h2>Frames</h2>
      <JobFrameStrip chunks={chunks} frameStart={j.comp.frameStart} frameEnd={j.comp.frameEnd} />

      <h2>Chunks</h2>
      {chunks.length === 0 ? <p class="muted">The coordinator has not split this job into chunks yet.</p> : <JobChunks chunks={chunks} nodeNames={nodeNames} />}

      <h2>Nodes over time</h2>
      {attempts.state.status === 'error' ? <ErrorState what="the timeline" error={attempts.state.error} retry={attempts.reload} /> : attempts.state.status === 'loading' ? <Loading what="the timeline" /> : <JobTimeline attempts={attemptList} now={now} />}

      <h2>Errors and warnings</h2>
      <JobProblems problems={problems} />
    </>
  );
}
