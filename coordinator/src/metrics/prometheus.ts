import Router from '@koa/router';
import { Role } from '@cloudexport/shared';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { authorizeCaller } from '../api/build-router.js';
import type { Deps } from '../api/deps.js';
import { readFleetFigures } from './fleet-figures.js';

/** Checked as an API route is: an admin's key (Bearer, as Prometheus' `authorization` sends it) or session. */
const METRICS_ROUTE = { roles: [Role.admin], summary: 'Prometheus metrics' } as const;

interface FleetGauges {
  registry: Registry;
  nodesOnline: Gauge;
  nodesBusy: Gauge;
  queueDepth: Gauge;
  jobsRunning: Gauge;
  framesPerMinute: Gauge;
}

/** One registry per coordinator (tests run several in a process); made on the first scrape. */
function createGauges(): FleetGauges {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  return {
    registry,
    nodesOnline: gauge('cloudexport_nodes_online', 'Render nodes connected and not disabled.'),
    nodesBusy: gauge('cloudexport_nodes_busy', 'Render nodes holding a chunk.'),
    queueDepth: gauge('cloudexport_queue_depth', 'Chunks waiting for a node (QUEUED).'),
    jobsRunning: gauge('cloudexport_jobs_running', 'Jobs downloading, rendering, uploading or assembling.'),
    framesPerMinute: gauge('cloudexport_frames_per_minute', 'Frames of frame chunks finished per minute, over the latest metrics sample.'),
  };
}

/**
 * GET /metrics in Prometheus' text format: the fleet figures the console charts (read from the
 * database at scrape time, so every coordinator answers for the whole fleet) plus this process's
 * own metrics (CPU, memory, event loop lag, GC).
 */
export function prometheusRoutes(deps: Deps): Router {
  let gauges: FleetGauges | null = null;
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const now = deps.clock.now();
    await authorizeCaller(deps, ctx, deps.orm.em.fork(), now, METRICS_ROUTE);
    gauges ??= createGauges();
    const figures = await readFleetFigures(deps.orm, now);
    gauges.nodesOnline.set(figures.nodesOnline);
    gauges.nodesBusy.set(figures.nodesBusy);
    gauges.queueDepth.set(figures.queueDepth);
    gauges.jobsRunning.set(figures.jobsRunning);
    const [latest] = await deps.orm.em
      .getConnection()
      .execute<{ frames_done: number; window_ms: number }[]>(`select frames_done, window_ms from metric_samples order by at desc limit 1`);
    gauges.framesPerMinute.set(latest && latest.window_ms > 0 ? (latest.frames_done * 60_000) / latest.window_ms : 0);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Type', gauges.registry.contentType);
    ctx.body = await gauges.registry.metrics();
  });
  return router;
}
