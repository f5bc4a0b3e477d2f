import { readFile } from 'node:fs/promises';
import test from 'ava';
import type { Page } from 'playwright-core';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';
import { hasFfmpeg } from '../../node-agent/test/helpers/ffmpeg-available.js';
import { fetchFromPage, hasChromium, serialWithChromium, shot, signIn, startConsoleWorld, waitForAttribute, waitForText, type ConsolePage, type ConsoleUser, type ConsoleWorld } from './helpers/console-browser.js';
import { jobOf, submitRenderJob } from './helpers/console-jobs.js';

// The artist's console in Chromium: a job renders on a real agent process (aerender double,
// real ffmpeg for the MP4), the list and the job page follow it live to COMPLETED with a live
// preview, the movie downloads through the page's link, and the admin pages and endpoints stay shut.

const serial = serialWithChromium(test, 'the artist console in a real browser', { ffmpeg: true });

const FRAMES = 30;
let w: ConsoleWorld;
let artist: ConsoleUser;
let page: ConsolePage;
let nodeId: string;
let jobId: string;

test.before(async () => {
  if (!hasChromium || !hasFfmpeg) return;
  w = await startConsoleWorld();
  artist = await w.user('artist');
  const node = await w.fleet.enroll('artist-node');
  nodeId = node.nodeId;
  // slow enough frames that progress is seen rising, and a preview is made mid-chunk
  w.fleet.start(node.home, ['run'], { AERENDER_DOUBLE_FRAME_DELAY_MS: '300' });
  await eventually(async () => (await w.c.call('GET', `/api/v1/nodes/${nodeId}`, { key: w.c.admin.key })).body.state === 'online', 30_000, 'the node online');
  page = await w.page();
  await signIn(page, artist.email, artist.password);
});

test.after.always(async () => {
  await w?.stop();
});

/** Frames done as a progress bar under `selector` says (its own aria-valuenow, or its progressbar's). */
function progressOf(p: Page, selector: string): Promise<number | null> {
  return p.evaluate((s) => {
    const el = document.querySelector(s);
    const bar = el?.getAttribute('aria-valuenow') !== null && el?.getAttribute('aria-valuenow') !== undefined ? el : el?.querySelector('[role="progressbar"]');
    const value = bar?.getAttribute('aria-valuenow');
    return value === null || value === undefined ? null : Number(value);
  }, selector);
}

/** Waits until the bar under `selector` shows more than `than` frames; answers what it shows. */
async function progressAbove(p: Page, selector: string, than: number, timeout = 30_000): Promise<number> {
  await p.waitForFunction(
    ([s, n]) => {
      const el = document.querySelector(s as string);
      const bar = el?.hasAttribute('aria-valuenow') ? el : el?.querySelector('[role="progressbar"]');
      return Number(bar?.getAttribute('aria-valuenow') ?? -1) > (n as number);
    },
    [selector, than] as const,
    { timeout },
  );
  return (await progressOf(p, selector))!;
}

serial('a job submitted elsewhere joins my jobs live; the list and the job page follow it frame by frame to COMPLETED, with a live preview', async (t) => {
  t.timeout(150_000);
  // the list is open, empty and live before the job exists: submitted from elsewhere (the panel,
  // the CLI), it must join the list by itself
  await page.goto('/jobs');
  await page.locator('.state-empty', { hasText: 'No jobs yet.' }).waitFor();
  await page.locator('.toolbar .live-dot.on').waitFor();
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  jobId = await submitRenderJob(w.c, artist.key, { frames: FRAMES, chunkSize: 10, name: 'Console artist job' });
  const rowSelector = `[data-testid="job-row"][data-job-id="${jobId}"]`;
  await page.locator(rowSelector).waitFor({ timeout: 10_000 });
  t.true(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true), 'the new job joined the list without a reload');
  // the job page in a second tab of the same session, watching at the same time
  const jobPage = await page.context().newPage();
  const jobPageErrors: string[] = [];
  jobPage.on('pageerror', (err) => jobPageErrors.push(err.message));
  await jobPage.goto(`/jobs/${jobId}`);
  await jobPage.getByTestId('job-state').waitFor();

  // the list's bar rises while the node renders: seen mid-way, then further on, with no reload
  const mid = await progressAbove(page, `${rowSelector} [role="progressbar"]`, 0);
  t.true(mid < FRAMES, `seen mid-way at ${mid}/${FRAMES}`);
  const later = await progressAbove(page, `${rowSelector} [role="progressbar"]`, mid);
  t.true(later > mid);
  const onJobPage = await progressAbove(jobPage, '[data-testid="job-progress"]', 0);
  t.true(onJobPage > 0);

  // the live preview: the page marks when it has shown one
  await jobPage.waitForFunction(() => performance.getEntriesByName('preview-shown').length > 0, null, { timeout: 40_000 });
  // the newest mark and the image on screen, read in one go: a newer preview may replace it any moment
  const mark = await jobPage.evaluate(() => {
    const m = performance.getEntriesByName('preview-shown').at(-1) as PerformanceMark;
    const img = document.querySelector('[data-testid="job-preview"]') as HTMLImageElement | null;
    return {
      detail: m.detail as { jobId: string; frame: number; receivedAt: string | number; renderedAt: string | number | null | undefined },
      shownAt: performance.timeOrigin + m.startTime,
      image: img ? { frame: img.getAttribute('data-frame'), decoded: img.complete && img.naturalWidth > 0 } : null,
    };
  });
  t.is(mark.detail.jobId, jobId);
  t.true(mark.detail.frame >= 0 && mark.detail.frame < FRAMES, `frame ${mark.detail.frame}`);
  // the mark comes from the image's load event; a newer preview still loading shows its frame
  // number before its own mark, so the image may be one ahead of the mark, never behind
  t.true(Number(mark.image?.frame) >= mark.detail.frame, `the image shows frame ${mark.image?.frame}, the mark says ${mark.detail.frame}`);
  if (mark.image?.frame === String(mark.detail.frame)) t.true(mark.image.decoded, 'the preview image decoded');
  const at = (x: string | number | null | undefined) => (typeof x === 'number' ? x : typeof x === 'string' ? Date.parse(x) : NaN);
  const receivedAt = at(mark.detail.receivedAt);
  const renderedAt = at(mark.detail.renderedAt);
  t.true(receivedAt <= mark.shownAt + 1, 'received before shown');
  t.true(Number.isFinite(renderedAt), 'the preview says when its frame was rendered');
  t.true(renderedAt <= mark.shownAt, 'rendered before shown');
  t.log(`preview latency: rendered → shown ${Math.round(mark.shownAt - renderedAt)} ms (rendered → coordinator ${Math.round(receivedAt - renderedAt)} ms, coordinator → shown ${Math.round(mark.shownAt - receivedAt)} ms)`);

  await waitForText(jobPage, 'job-state', /^\s*COMPLETED\s*$/, 90_000);
  await waitForAttribute(page, rowSelector, 'data-state', 'COMPLETED');
  t.is(await progressOf(page, `${rowSelector} [role="progressbar"]`), FRAMES);
  const rowDownload = page.locator(`${rowSelector} [data-testid="job-row-download"]`);
  await rowDownload.waitFor();
  t.is(await rowDownload.getAttribute('href'), `/api/v1/jobs/${jobId}/deliverable`, 'the finished job downloads from the list too');
  t.is(await rowDownload.getAttribute('download'), 'Console artist job.mp4');
  t.true(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true), 'the list followed it without a reload');
  const job = await jobOf(w.c, artist.key, jobId);
  t.is(job.state, 'COMPLETED');
  t.is(job.framesDone, FRAMES);
  t.is(await progressOf(jobPage, '[data-testid="job-progress"]'), FRAMES);
  t.is(await jobPage.getByTestId('chunk-row').count(), 4, 'three frame chunks and the assembly');
  const cost = await waitForText(jobPage, 'job-cost', /\$\s*\d/);
  t.true(Math.abs(Number(cost.replace(/[^\d.]/g, '')) - job.costUsd) < 0.0001, `the page shows what the API says the job cost: ${cost} for ${job.costUsd}`);
  t.true(await jobPage.getByTestId('job-eta').isVisible());
  await jobPage.getByTestId('job-timeline').waitFor();
  await shot(page, 'artist-jobs');
  t.false((await shot(jobPage, 'artist-job', { phone: true })).phoneOverflow, 'the job page fits a phone');
  t.deepEqual(jobPageErrors, []);
  await jobPage.close();
});

serial('the deliverable downloads through the job page’s link, an MP4', async (t) => {
  await page.goto(`/jobs/${jobId}`);
  const link = page.getByTestId('job-download');
  await link.waitFor();
  t.is(await link.getAttribute('href'), `/api/v1/jobs/${jobId}/deliverable`);
  t.not(await link.getAttribute('download'), null, 'a download link');
  const answer = await page.evaluate(async (href) => {
    const res = await fetch(href);
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), url: res.url, text: res.ok ? '' : await res.text() };
  }, `/api/v1/jobs/${jobId}/deliverable`);
  t.is(answer.status, 200, `the link answers the signed-in artist: ${JSON.stringify(answer)}`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const bytes = await readFile((await download.path())!);
  t.true(bytes.length > 1000, `${bytes.length} bytes`);
  t.is(bytes.subarray(4, 8).toString('latin1'), 'ftyp', 'an ISO media file (MP4) by its ftyp box');
  t.regex(download.suggestedFilename(), /\.mp4$/);
});

serial('the admin pages and endpoints are refused to an artist', async (t) => {
  await page.goto('/admin/fleet');
  await page.getByTestId('forbidden').waitFor();
  t.is(await page.getByTestId('node-table').count(), 0);
  // refused for the role, not for a missing CSRF token (also a 403)
  t.deepEqual(await fetchFromPage(page, 'POST', `/api/v1/nodes/${nodeId}/disable`), { status: 403, code: 'forbidden' });
  t.deepEqual(await fetchFromPage(page, 'GET', '/api/v1/audit'), { status: 403, code: 'forbidden' });
  t.is((await w.c.call('GET', `/api/v1/nodes/${nodeId}`, { key: w.c.admin.key })).body.state, 'online', 'the node was not touched');
});

serial('spending shows what the job cost, as the API counts it', async (t) => {
  await page.goto('/spending');
  const text = await waitForText(page, 'spending-total', /\$\s*\d/);
  const spending = (await w.c.call('GET', '/api/v1/spending', { key: artist.key })).body as { totalUsd: number };
  t.true(spending.totalUsd > 0, 'the job was charged');
  // the console shows amounts under $1 to 4 decimals (over, to the cent): equal to what it shows
  const shown = Number(/\$\s*([\d,]+(?:\.\d+)?)/.exec(text)![1]!.replace(/,/g, ''));
  t.true(Math.abs(shown - spending.totalUsd) < (spending.totalUsd < 1 ? 0.0001 : 0.01), `shown $${shown}, API $${spending.totalUsd}`);
  t.false((await shot(page, 'artist-spending', { phone: true })).phoneOverflow, 'spending fits a phone');
});

serial('API keys: a new key’s secret is shown once and works; revoked, it stops working', async (t) => {
  await page.goto('/keys');
  await page.getByTestId('key-row').first().waitFor();
  const before = await page.getByTestId('key-row').count();
  await page.getByTestId('key-name').fill('console key');
  await page.getByTestId('key-create').click();
  const secret = /ce_[0-9a-f]{8}_[\w-]{43}/.exec(await waitForText(page, 'key-secret', /ce_[0-9a-f]{8}_[\w-]{43}/))![0];
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="key-row"]').length === n + 1, before);
  const me = await fetch(`${w.c.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
  t.is(me.status, 200, 'the secret shown is the key');
  t.is(((await me.json()) as { id: string }).id, artist.id);
  await shot(page, 'artist-keys');
  const row = page.getByTestId('key-row').filter({ hasText: 'console key' });
  await row.getByTestId('key-revoke').click();
  await row.getByTestId('key-revoke-confirm').click();
  await eventually(async () => (await fetch(`${w.c.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status === 401, 10_000, 'the key refused');
  await page.reload();
  await page.getByTestId('key-row').first().waitFor();
  t.is(await page.getByTestId('key-secret').count(), 0, 'the secret is never shown again');
  t.deepEqual(page.errors, [], 'no uncaught error in the page all along');
});
