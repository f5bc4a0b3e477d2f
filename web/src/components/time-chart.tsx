import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { summarize, type ChartColumns } from '../admin/metrics-series.js';

export interface ChartSeries {
  label: string;
  /** A CSS custom property of styles.css (`--accent`), read at draw time so dark mode follows. */
  color: string;
  /** Formats a value for the summary; whole numbers by default. */
  format?: (value: number) => string;
}

/** Plot height in CSS pixels: fixed, so the page does not shift as charts appear or resize. */
export const CHART_HEIGHT = 200;
const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

/**
 * A time series chart: uPlot sized to its container's width (it follows resizes), a fixed
 * height, colours from the theme's CSS variables (redrawn when the system switches dark mode),
 * and a text summary per series (min, max, latest) for screen readers and at a glance.
 * `empty` takes the plot's place, at the same height, until there are at least two points.
 */
export function TimeChart({ title, series, data, testId, empty, integer }: { title: string; series: ChartSeries[]; data: ChartColumns; testId: string; empty: ComponentChildren; integer?: boolean }) {
  const plotRef = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const dark = usePrefersDark();
  const enough = data[0].length >= 2;
  const shape = series.map((s) => `${s.label}:${s.color}`).join('|');

  // (re)built when the series or the theme change; data updates go through setData below
  useEffect(() => {
    const el = plotRef.current;
    if (!el || !enough) return;
    const css = getComputedStyle(document.documentElement);
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    const muted = v('--muted', '#5b6470');
    const line = v('--line', '#dde1e6');
    const font = `12px ${css.fontFamily || 'system-ui, sans-serif'}`;
    const axis: uPlot.Axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, font };
    const u = new uPlot(
      {
        width: Math.max(100, el.clientWidth),
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, min, max) => [0, Math.max(1, max, min) * 1.1] } },
        // counts (nodes, chunks) get whole-number ticks: half a node means nothing
        axes: [axis, { ...axis, size: 44, ...(integer ? { incrs: INTEGER_STEPS } : {}) }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: v(s.color, '#2456d6'), width: 2, points: { show: false } }))],
      },
      data as uPlot.AlignedData,
      el,
    );
    chart.current = u;
    const observer = new ResizeObserver(() => {
      const width = el.clientWidth;
      if (width > 0 && width !== u.width) u.setSize({ width, height: CHART_HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      chart.current = null;
    };
  }, [shape, dark, enough, integer]);

  useEffect(() => {
    chart.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  const summaries = series.map((s, i) => {
    const sum = summarize(data[i + 1] ?? []);
    const f = s.format ?? ((n: number) => String(Math.round(n)));
    return { s, text: sum ? `min ${f(sum.min)}, max ${f(sum.max)}, latest ${f(sum.latest)}` : 'no samples yet' };
  });
  const caption = `${title}: ${summaries.map(({ s, text }) => `${s.label} ${text}`).join('; ')}.`;

  return (
    <figure class="card chart" data-testid={testId} data-points={data[0].length} aria-label={caption}>
      <figcaption class="chart-title">{title}</figcaption>
      {enough ? <div class="chart-plot" ref={plotRef} aria-hidden="true" /> : <div class="chart-plot chart-empty">{empty}</div>}
      <ul class="chart-legend">
        {summaries.map(({ s, text }) => (
          <li key={s.label}>
            <span class="chart-swatch" style={{ background: `var(${s.color})` }} aria-hidden="true" />
            {s.label}: <span class="num">{text}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Whether the system asks for dark mode now; changes re-render (the chart redraws in the new colours). */
function usePrefersDark(): boolean {
  const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const onChange = () => setDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return dark;
}
