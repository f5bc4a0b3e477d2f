/// <reference lib="dom" />
import test from 'ava';
import type { Page } from 'playwright-core';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';
import { hasFfmpeg } from '../../node-agent/test/helpers/ffmpeg-available.js';
import { hasChromium, serialWithChromium, signIn, startConsoleWorld, waitForText, type ConsolePage, type ConsoleUser, type ConsoleWorld } from './helpers/console-browser.js';
import { jobOf, submitRenderJob } from './helpers/console-jobs.js';

// No layout shift while the numbers tick: Cumulative Layout Shift (the browser's own
// 'layout-shift' entries, those without recent input, summed) measured in Chromium on the job page
// while a real agent process renders the job to COMPLETED, and on the admin's fleet page while the
// node's current chunk ticks. Each stays under 0.1, web.dev's "good"; a pill or a number that
// changes width, or content that pushes the page down, gives well above that.

const serial = serialWithChromium(test, 'no layout shift while numbers tick', { ffmpeg: true });

/** web.dev's "good" CLS. */
const GOOD_CLS = 0.1;
const FRAMES = 40;
let w: ConsoleWorld;
let artist: ConsoleUser;
let artistPage: ConsolePage;
let adminPage: ConsolePage;
let nodeId: string;

test.before(async () => {
  if (!hasChromium || !hasFfmpeg) return;
  w = await startConsoleWorld();
  artist = await w.user('artist');
  const node = await w.fleet.enroll('shift-node');
  nodeId = node.nodeId;
  // slow enough frames that the numbers tick for seconds, one frame at a time
  w.fleet.start(node.home, ['run'], { AERENDER_DOUBLE_FRAME_DELAY_MS: '300' });
  await eventually(async () => (await w.c.call('GET', `/api/v1/nodes/${nodeId}`, { key: w.c.admin.key })).body.state === 'online', 30_000, 'the node online');
  artistPage = await w.page();
  adminPage = await w.page();
  for (const p of [artistPage, adminPage]) await p.context().addInitScript({ content: RECORD_LAYOUT_SHIFTS });
  await signIn(artistPage, artist.email, artist.password);
  await signIn(adminPage, w.admin.email, w.admin.password);
});

test.after.always(async () => {
  await w?.stop();
});

interface ShiftSource {
  /** The element that moved, as a selector-like description with its text. */
  node: string;
  previousRect: { x: number; y: number; width: number; height: number };
  currentRect: { x: number; y: number; width: number; height: number };
}
interface Shift {
  value: number;
  at: number;
  sources: ShiftSource[];
}
interface ClsRecord {
  sum: number;
  entries: Shift[];
  /** Progress values seen (aria-valuenow of the watched bars) since the last reset. */
  ticks: string[];
}

/**
 * Runs in every page before its scripts: a buffered PerformanceObserver sums the 'layout-shift'
 * entries without recent input into window.__cls, describing each shifted element as it was then;
 * window.__clsReset(selector) starts the sum afresh and records every aria-valuenow the bars
 * matching `selector` take from then on. Plain JavaScript in a string: tsx's helpers (__name) do
 * not exist in the page.
 */
const RECORD_LAYOUT_SHIFTS = `(() => {
  const record = { sum: 0, entries: [], ticks: [] };
  window.__cls = record;
  function describeNode(node) {
    if (!node) return '(removed node)';
    const el = node instanceof Element ? node : node.parentElement;
    if (!el) return node.nodeName;
    const testId = el.getAttribute('data-testid');
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const own = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + (testId ? '[data-testid=' + testId + ']' : '');
    const holder = el.parentElement && el.parentElement.closest('[data-testid]');
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    return (node instanceof Element ? '' : 'text in ') + own + (holder ? ' in [data-testid=' + holder.getAttribute('data-testid') + ']' : '') + ' "' + text + '"';
  }
  function rect(r) {
    return { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height) };
  }
  new PerformanceObserver(function (list) {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      record.sum += e.value;
      record.entries.push({ value: e.value, at: Math.round(e.startTime), sources: (e.sources || []).map(function (s) { return { node: describeNode(s.node), previousRect: rect(s.previousRect), currentRect: rect(s.currentRect) }; }) });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  window.__clsReset = function (selector) {
    record.sum = 0;
    record.entries = [];
    record.ticks = [];
    function seen() {
      const now = Array.from(document.querySelectorAll(selector)).map(function (el) { return el.getAttribute('aria-valuenow') || ''; }).join(',');
      if (now && now !== record.ticks[record.ticks.length - 1]) record.ticks.push(now);
    }
    seen();
    new MutationObserver(seen).observe(document.querySelector('main'), { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  };
})();`;

/** Starts the measurement afresh (the load is behind us) and records every value the bars under `watch` take from now on. */
function resetCls(p: Page, watch: string): Promise<void> {
  return p.evaluate((selector) => (window as unknown as { __clsReset: (s: string) => void }).__clsReset(selector), watch);
}

function clsOf(p: Page): Promise<ClsRecord> {
  // two frames first: a shift of the last change is reported once it has been painted
  return p.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return (window as unknown as { __cls: ClsRecord }).__cls;
  });
}

/** The shifts as a person reads them: the ones that count (≥ 0.001) each with what moved from where to where, the rest summed. */
function report(cls: ClsRecord): string {
  if (cls.entries.length === 0) return 'no shift';
  const big = cls.entries.filter((e) => e.value >= 0.001);
  const small = cls.entries.filter((e) => e.value < 0.001);
  const lines = big.map((e) => `${e.value.toFixed(4)} at ${e.at} ms: ${e.sources.map((s) => `${s.node} ${JSON.stringify(s.previousRect)} → ${JSON.stringify(s.currentRect)}`).join('; ')}`);
  if (small.length > 0) lines.push(`${small.length} smaller shifts (< 0.001 each) totalling ${small.reduce((sum, e) => sum + e.value, 0).toFixed(4)}, of: ${[...new Set(small.flatMap((e) => e.sources.map((s) => s.node.replace(/ ".*$/, ''))))].join(', ')}`);
  return lines.join('\n');
}

serial('the job page and the fleet page do not shift while a render ticks to COMPLETED', async (t) => {
  t.timeout(150_000);
  const jobId = await submitRenderJob(w.c, artist.key, { frames: FRAMES, chunkSize: 10, name: 'Layout shift job' });
  const rowSelector = `[data-testid="node-row"][data-node-id="${nodeId}"]`;
  // both pages open while the node starts on the first chunk
  await Promise.all([
    (async () => {
      await artistPage.goto(`/jobs/${jobId}`);
      await artistPage.getByTestId('job-state').waitFor();
      await resetCls(artistPage, '[data-testid="job-progress"]');
    })(),
    (async () => {
      await adminPage.goto('/admin/fleet');
      // the node has its chunk: from here its cell ticks frame by frame
      await adminPage.locator(`${rowSelector} .node-chunk [role="progressbar"]`).waitFor({ timeout: 30_000 });
      await resetCls(adminPage, `${rowSelector} [role="progressbar"]`);
    })(),
  ]);
  const atReset = Number(await artistPage.getByTestId('job-progress').getAttribute('aria-valuenow'));
  t.true(atReset < FRAMES, `measured from ${atReset}/${FRAMES} frames`);

  // the job page's bar rises to the end, then the job completes
  await artistPage.waitForFunction((n) => document.querySelector('[data-testid="job-progress"]')?.getAttribute('aria-valuenow') === String(n), FRAMES, { timeout: 90_000 });
  await waitForText(artistPage, 'job-state', /^\s*COMPLETED\s*$/, 60_000);
  t.is((await jobOf(w.c, artist.key, jobId)).state, 'COMPLETED');
  await adminPage.waitForFunction((s) => !document.querySelector(`${s} .node-chunk [role="progressbar"]`), rowSelector, { timeout: 30_000 });

  const jobCls = await clsOf(artistPage);
  const fleetCls = await clsOf(adminPage);
  t.log(`job page CLS while ${jobCls.ticks.length} progress values ticked (${jobCls.ticks.join(' ')}): ${jobCls.sum.toFixed(4)}\n${report(jobCls)}`);
  t.log(`fleet page CLS while ${fleetCls.ticks.length} chunk progress values ticked (${fleetCls.ticks.join(' ')}): ${fleetCls.sum.toFixed(4)}\n${report(fleetCls)}`);
  t.true(jobCls.ticks.length >= 5, `the job page's numbers ticked while measured: ${jobCls.ticks.join(' ')}`);
  t.true(fleetCls.ticks.length >= 5, `the fleet row's chunk ticked while measured: ${fleetCls.ticks.join(' ')}`);
  t.true(jobCls.sum < GOOD_CLS, `job page CLS ${jobCls.sum.toFixed(4)} ≥ ${GOOD_CLS}:\n${report(jobCls)}`);
  t.true(fleetCls.sum < GOOD_CLS, `fleet page CLS ${fleetCls.sum.toFixed(4)} ≥ ${GOOD_CLS}:\n${report(fleetCls)}`);
  t.deepEqual(artistPage.errors, []);
  t.deepEqual(adminPage.errors, []);
});
