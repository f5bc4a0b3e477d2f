import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { framesFinished, readFleetFigures } from './fleet-figures.js';

/** Samples older than this are deleted: the charts look back a week at most. */
export const METRICS_RETENTION_MS = 8 * 24 * 3600_000;

export interface MetricsSamplerOptions {
  orm: MikroORM;
  clock: Clock;
  log: Logger;
  /** The sample period; slots are its multiples since the epoch. */
  sampleMs: number;
}

export interface MetricsSampler {
  /** Takes the sample of the slot `now` falls in, unless some coordinator already did; true when this call wrote it. */
  sampleNow(): Promise<boolean>;
  /** Stops the timer and waits for a sample in progress. */
  stop(): Promise<void>;
}

/**
 * One row into metric_samples per slot of `sampleMs`. Coordinators sharing the database all
 * try each slot and the slot's primary key keeps the first (`on conflict do nothing`); frames
 * are counted over the slot before, a fixed window, so whichever writes it counts the same.
 */
export function startMetricsSampler(options: MetricsSamplerOptions): MetricsSampler {
  const { orm, clock, log, sampleMs } = options;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();

  const sampleNow = async (): Promise<boolean> => {
    const now = clock.now();
    const slot = Math.floor(now.getTime() / sampleMs) * sampleMs;
    const at = new Date(slot);
    const figures = await readFleetFigures(orm, now);
    const frames = await framesFinished(orm, new Date(slot - sampleMs), at);
    const conn = orm.em.getConnection();
    const inserted = await conn.execute(
      `insert into metric_samples (at, window_ms, nodes_online, nodes_busy, frames_done, queue_depth, jobs_running)
       values (?, ?, ?, ?, ?, ?, ?) on conflict (at) do nothing`,
      [at, sampleMs, figures.nodesOnline, figures.nodesBusy, frames, figures.queueDepth, figures.jobsRunning],
      'run',
    );
    await conn.execute(`delete from metric_samples where at < ?`, [new Date(slot - METRICS_RETENTION_MS)], 'run');
    return (inserted as { affectedRows?: number }).affectedRows === 1;
  };

  // each tick lands just after a slot boundary, so drift never skips or doubles a slot
  const schedule = () => {
    if (stopped) return;
    const wall = Date.now();
    timer = setTimeout(tick, sampleMs - (wall % sampleMs) + Math.min(50, sampleMs / 10));
  };
  const tick = () => {
    timer = null;
    running = sampleNow()
      .catch((err: unknown) => log.warn({ err }, 'metrics sample failed; the chart shows a gap for this minute'))
      .finally(schedule);
  };
  schedule();

  return {
    sampleNow: () => {
      const sample = sampleNow();
      running = sample.catch(() => undefined);
      return sample;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
