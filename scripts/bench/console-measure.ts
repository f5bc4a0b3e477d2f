import { readdirSync, readFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';

// What bench/console.ts reads from Chromium through the DevTools protocol.

/** Cumulative main-thread seconds Chromium counts per page (Performance.getMetrics). */
export interface CdpCounters {
  ScriptDuration: number;
  LayoutDuration: number;
  RecalcStyleDuration: number;
  TaskDuration: number;
}

export async function cdpMetrics(cdp: CDPSession): Promise<{ counters: CdpCounters; heapUsedBytes: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return {
    counters: { ScriptDuration: value('ScriptDuration'), LayoutDuration: value('LayoutDuration'), RecalcStyleDuration: value('RecalcStyleDuration'), TaskDuration: value('TaskDuration') },
    heapUsedBytes: value('JSHeapUsedSize'),
  };
}

/**
 * Counts the Socket.IO events the page receives on its WebSocket, by event name (`42/live,["node",…]`
 * is a `node` event; pings and acks count as `(engine)`).
 */
export async function countLiveFrames(cdp: CDPSession): Promise<{ reset(): void; snapshot(): Map<string, number> }> {
  let counts = new Map<string, number>();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameReceived', ({ response }) => {
    const name = /^42(?:\/[^,]*,)?\d*\["([^"]+)"/.exec(response.payloadData)?.[1] ?? '(engine)';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  return {
    reset: () => (counts = new Map()),
    snapshot: () => new Map(counts),
  };
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * CPU seconds used so far by the Chromium processes under `rootPid` (Linux /proc), by kind: Chromium's
 * renderers (`--type=renderer`: the page's main thread and its compositor) and the rest (the
 * browser, the GPU process that rasterizes with --disable-gpu). Wall-clock durations above stretch
 * when the coordinator competes for the same cores; these do not.
 */
export function chromiumCpuSeconds(rootPid: number): { renderer: number; other: number } {
  const ticksPerSecond = 100;
  const procs = new Map<number, { ppid: number; ticks: number; renderer: boolean; chromium: boolean }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      procs.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), renderer: cmdline.includes('--type=renderer'), chromium: cmdline.includes('chromium') });
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === rootPid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let renderer = 0;
  let other = 0;
  for (const [pid, p] of procs) {
    if (!p.chromium || !inTree(pid)) continue;
    if (p.renderer) renderer += p.ticks;
    else other += p.ticks;
  }
  return { renderer: renderer / ticksPerSecond, other: other / ticksPerSecond };
}
