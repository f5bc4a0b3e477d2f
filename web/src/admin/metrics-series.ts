import type { MetricsPoint } from '@cloudexport/shared';

/**
 * The overview's history: samples the coordinator writes once a minute. New minutes are
 * fetched and merged in; the window keeps the last `hours`.
 */
export function mergePoints(old: readonly MetricsPoint[], fresh: readonly MetricsPoint[], now: number, hours: number): MetricsPoint[] {
  const byAt = new Map<number, MetricsPoint>();
  for (const p of [...old, ...fresh]) byAt.set(Date.parse(p.at), p);
  const from = now - hours * 3600_000;
  return [...byAt.entries()]
    .filter(([at]) => at >= from)
    .sort((a, b) => a[0] - b[0])
    .map(([, p]) => p);
}

/** uPlot's columns: x in unix seconds, then one column per series; null breaks the line. */
export type ChartColumns = [number[], ...(number | null)[][]];

/**
 * Columns for the chosen fields. Where two samples are more than two steps apart no coordinator
 * was sampling: a null row there keeps the line from bridging the gap as if nothing happened.
 */
export function toColumns(points: readonly MetricsPoint[], fields: readonly (keyof Omit<MetricsPoint, 'at'>)[], stepSeconds: number): ChartColumns {
  const xs: number[] = [];
  const ys: (number | null)[][] = fields.map(() => []);
  let last: number | null = null;
  for (const p of points) {
    const t = Math.floor(Date.parse(p.at) / 1000);
    if (last !== null && t - last > 2 * stepSeconds) {
      xs.push(last + stepSeconds);
      ys.forEach((col) => col.push(null));
    }
    xs.push(t);
    fields.forEach((f, i) => ys[i]!.push(p[f]));
    last = t;
  }
  return [xs, ...ys];
}

/** Min, max and latest of a column, for the chart's text summary; null when it has no values. */
export function summarize(values: readonly (number | null)[]): { min: number; max: number; latest: number } | null {
  const real = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (real.length === 0) return null;
  return { min: Math.min(...real), max: Math.max(...real), latest: real[real.length - 1]! };
}
