import type { Clock } from '../clock.js';
import type { ObjectStorage } from './object-storage.js';

export interface SweepOptions {
  now: Date;
  /** Objects older than this many days go. Default 7. */
  retentionDays?: number;
  /** Key prefixes to sweep, e.g. `['bundles/', 'outputs/']`; nothing outside them is touched. */
  prefixes: string[];
}

export interface SweepResult {
  /** Objects last modified before this were deleted. */
  cutoff: Date;
  deleted: string[];
  /** Abandoned multipart uploads and temp files dropped (drivers that clean those up themselves). */
  abandonedUploads: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes objects under `prefixes` last modified more than `retentionDays` before `now`. */
export async function sweepExpired(storage: ObjectStorage, options: SweepOptions): Promise<SweepResult> {
  const retentionDays = options.retentionDays ?? 7;
  if (!(retentionDays > 0)) throw new Error(`Retention must be a positive number of days, not ${retentionDays}.`);
  const cutoff = new Date(options.now.getTime() - retentionDays * DAY_MS);
  const deleted: string[] = [];
  for (const prefix of options.prefixes) {
    for await (const object of storage.listOlderThan(prefix, cutoff)) {
      await storage.delete(object.key);
      deleted.push(object.key);
    }
  }
  const abandonedUploads = storage.abortIncompleteUploads ? await storage.abortIncompleteUploads(cutoff) : 0;
  return { cutoff, deleted, abandonedUploads };
}

export interface RetentionSweeperOptions extends Omit<SweepOptions, 'now'> {
  clock: Clock;
  /** Time between sweeps. Default one hour. */
  intervalMs?: number;
  onSweep?: (result: SweepResult) => void;
  /** Called with a failed sweep's error; the next sweep runs as usual. */
  onError: (err: unknown) => void;
}

export interface RetentionSweeper {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Sweeps now and then every `intervalMs`; a sweep never overlaps the previous one. */
export function startRetentionSweeper(storage: ObjectStorage, options: RetentionSweeperOptions): RetentionSweeper {
  let running: Promise<void> | null = null;
  const run = () => {
    if (running) return;
    running = sweepExpired(storage, { ...options, now: options.clock.now() })
      .then((result) => options.onSweep?.(result))
      .catch((err: unknown) => options.onError(err))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(run, options.intervalMs ?? 60 * 60 * 1000);
  timer.unref();
  run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
