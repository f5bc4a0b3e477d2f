import type { ApiRoutes } from '@cloudexport/shared';
import type { Handler } from '../build-router.js';

/** A chart is a few hundred pixels wide: longer windows are averaged into at most this many points. */
const MAX_POINTS = 1_440;

interface BucketRow {
  at: Date | string;
  nodes_online: string | number;
  nodes_busy: string | number;
  queue_depth: string | number;
  jobs_running: string | number;
  frames: string | number;
  window_ms: string | number;
}

/**
 * The sampler's rows over the last `hours`, oldest first, one point per step: the sample period
 * (24 h at one a minute is 1440 points), or a multiple of it averaged when the window is longer.
 */
export const getMetricsHistory: Handler<ApiRoutes['getMetricsHistory']> = async ({ em, query, deps, now }) => {
  const sampleSeconds = Math.max(1, Math.round(deps.config.metricsSampleMs / 1000));
  const stepSeconds = Math.max(sampleSeconds, Math.ceil((query.hours * 3600) / MAX_POINTS / sampleSeconds) * sampleSeconds);
  const since = new Date(now.getTime() - query.hours * 3600_000);
  const rows = await em.getConnection().execute<BucketRow[]>(
    `select max(at) as at,
            round(avg(nodes_online)) as nodes_online, round(avg(nodes_busy)) as nodes_busy,
            round(avg(queue_depth)) as queue_depth, round(avg(jobs_running)) as jobs_running,
            sum(frames_done) as frames, sum(window_ms) as window_ms
       from metric_samples
      where at > ? and at <= ?
      group by floor(extract(epoch from at) / ?)
      order by 1`,
    [since, now, stepSeconds],
  );
  return {
    stepSeconds,
    points: rows.map((r) => {
      const windowMs = Number(r.window_ms);
      return {
        at: new Date(r.at).toISOString(),
        nodesOnline: Number(r.nodes_online),
        nodesBusy: Number(r.nodes_busy),
        framesPerMinute: windowMs > 0 ? Math.round((Number(r.frames) * 60_000 * 100) / windowMs) / 100 : 0,
        queueDepth: Number(r.queue_depth),
        jobsRunning: Number(r.jobs_running),
      };
    }),
  };
};
