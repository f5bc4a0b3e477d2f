import test from 'ava';
import { hasFfmpeg } from '../../node-agent/test/helpers/ffmpeg-available.js';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';
import type { Identity } from '../../coordinator/test/helpers/test-coordinator.js';
import {
  hasChromium,
  serialWithChromium,
  shot,
  signIn,
  startConsoleWorld,
  tableWidth,
  waitForAttribute,
  waitForText,
  type ConsolePage,
  type ConsoleWorld,
} from './helpers/console-browser.js';
import { jobOf, submitRenderJob } from './helpers/console-jobs.js';

// The admin's console in Chromium, against the real coordinator and a real agent process: the
// fleet fills live as a node enrolls, drain and enable act on it, a tier's new price moves the
// estimate, the audit log shows who changed it, the overview draws its charts.

// the job journey renders an MP4: its assembly needs ffmpeg
const serial = serialWithChromium(test, 'the admin console in a real browser', { ffmpeg: true });

let w: ConsoleWorld;
let page: ConsolePage;
let nodeId: string;
let artist: Identity;

test.before(async () => {
  if (!hasChromium || !hasFfmpeg) return;
  // the overview's charts need samples: one every 500 ms instead of every minute
  w = await startConsoleWorld({ config: { metricsSampleMs: 500 } });
  artist = await w.c.user('artist');
  page = await w.page();
  await signIn(page, w.admin.email, w.admin.password);
});

test.after.always(async () => {
  await w?.stop();
});

const rowOf = (id: string) => `[data-testid="node-row"][data-node-id="${id}"]`;
const nodeState = async (id: string) => (await w.c.call('GET', `/api/v1/nodes/${id}`, { key: w.c.admin.key })).body.state as string;
/** A flag on the page's window: still there later means the page was never reloaded. */
const markNoReload = () => page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
const sameDocument = () => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

serial('the fleet starts empty; a node that enrolls appears live, online, without a reload', async (t) => {
  await page.goto('/admin/fleet');
  await page.locator('[data-testid="node-table"], .state-empty').first().waitFor();
  t.is(await page.getByTestId('node-row').count(), 0, 'no node yet');
  t.true(await page.locator('.state-empty').first().isVisible(), 'an empty fleet says what to do next');
  await markNoReload();

  const node = await w.fleet.enroll('console-node');
  nodeId = node.nodeId;
  w.fleet.start(node.home, ['run']);
  await waitForAttribute(page, rowOf(nodeId), 'data-state', 'online', 30_000);
  t.true(await sameDocument(), 'the row came over the socket, not from a reload');
  t.is(await nodeState(nodeId), 'online');
  t.regex(await page.locator(rowOf(nodeId)).innerText(), /console-node/);
  t.regex(await waitForText(page, 'fleet-count', /1/), /\b1\b/, 'the count shows the one node');
});

serial('the fleet marks its first render, and its toolbar filters', async (t) => {
  await page.goto('/admin/fleet');
  await page.locator(rowOf(nodeId)).waitFor();
  const marks = await page.evaluate(() => performance.getEntriesByName('fleet:first-render').length);
  t.is(marks, 1, 'performance.mark("fleet:first-render") once');
  await page.getByTestId('fleet-search').fill('no-such-node-anywhere');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node-row"]').length === 0);
  await page.getByTestId('fleet-search').fill('console-node');
  await page.locator(rowOf(nodeId)).waitFor();
  t.is(await page.getByTestId('node-row').count(), 1);
  for (const id of ['fleet-filter-state', 'fleet-filter-tier', 'fleet-filter-ae', 'fleet-filter-owner']) t.true(await page.getByTestId(id).isVisible(), id);
  await page.getByTestId('fleet-search').fill('');
  await page.locator(rowOf(nodeId)).waitFor();
  t.false((await shot(page, 'admin-fleet', { phone: true })).phoneOverflow, 'at phone width only the table scrolls sideways');
  // at 1280 px every column is in view, earnings and actions included, without scrolling the table
  const table = await tableWidth(page, 'node-table');
  t.true(table.scroll <= table.client, `the fleet table needs ${table.scroll} px in ${table.client} px at 1280 px`);
});

serial('drain asks first, then the row turns draining live; enable brings it back online', async (t) => {
  const row = page.locator(rowOf(nodeId));
  await markNoReload();
  await row.getByTestId('node-drain').click();
  t.is(await nodeState(nodeId), 'online', 'the first click only asks');
  await row.getByTestId('node-drain-confirm').click();
  await waitForAttribute(page, rowOf(nodeId), 'data-state', 'draining');
  t.is(await nodeState(nodeId), 'draining');
  await row.getByTestId('node-enable').click();
  await row.getByTestId('node-enable-confirm').click();
  await waitForAttribute(page, rowOf(nodeId), 'data-state', 'online');
  t.is(await nodeState(nodeId), 'online');
  t.true(await sameDocument());
});

serial('the node page shows the node, its GPU and its tier', async (t) => {
  await page.goto(`/nodes/${nodeId}`);
  await page.getByText('console-node').first().waitFor();
  const text = await page.locator('main').innerText();
  t.regex(text, /RTX 4090/);
  t.regex(text, /high-end|High-end/);
  await shot(page, 'admin-node');
});

serial('jobs: a job shows in the list and on its page, live to COMPLETED', async (t) => {
  const jobId = await submitRenderJob(w.c, artist.key, { frames: 10, chunkSize: 5, name: 'Console admin job' });
  await page.goto('/admin/jobs');
  const row = page.locator(`[data-testid="job-row"][data-job-id="${jobId}"]`);
  await row.waitFor();
  t.regex(await row.innerText(), /Console admin job/);
  await shot(page, 'admin-jobs');
  const table = await tableWidth(page, 'job-table');
  t.true(table.scroll <= table.client, `the jobs table, with its owner column and Cancel, needs ${table.scroll} px in ${table.client} px at 1280 px`);
  await page.goto(`/jobs/${jobId}`);
  await waitForText(page, 'job-state', /^\s*COMPLETED\s*$/, 60_000);
  t.is((await jobOf(w.c, artist.key, jobId)).state, 'COMPLETED');
  t.is(await page.getByTestId('chunk-row').count(), 3, 'two frame chunks and the assembly');
  await page.getByTestId('job-timeline').waitFor();
  t.false((await shot(page, 'admin-job', { phone: true })).phoneOverflow, 'the job page fits a phone');
});

serial('a tier’s new price changes its estimate, and the audit log shows the change', async (t) => {
  await page.goto('/admin/money');
  await page.locator('[data-testid="tier-row"][data-tier-id="high-end"]').waitFor();
  const dollars = async () => Number(/\$\s*([\d,]+(?:\.\d+)?)/.exec(await waitForText(page, 'estimate-high-end', /\$\s*\d/))![1]!.replace(/,/g, ''));
  const before = await dollars();
  await page.getByTestId('tier-price-high-end').fill('0.75');
  await page.getByTestId('tier-save-high-end').click();
  await eventually(async () => (await w.c.call('GET', '/api/v1/tiers', { key: w.c.admin.key })).body.items.find((x: { id: string }) => x.id === 'high-end').pricePerMinuteUsd === 0.75, 10_000, 'the new price saved');
  await page.waitForFunction(
    ([b]) => {
      const m = /\$\s*([\d,]+(?:\.\d+)?)/.exec(document.querySelector('[data-testid="estimate-high-end"]')?.textContent ?? '');
      return !!m && Number(m[1]!.replace(/,/g, '')) > b!;
    },
    [before],
  );
  const after = await dollars();
  t.true(after > before, `estimate ${before} → ${after}`);
  t.true(await page.getByTestId('tier-estimate').isVisible());
  await shot(page, 'admin-tiers');

  await page.goto('/admin/audit');
  await page.getByTestId('audit-row').first().waitFor();
  await page.getByTestId('audit-action').fill('tier.');
  await page.getByTestId('audit-action').press('Enter');
  await page.waitForFunction(() => {
    const rows = Array.from(document.querySelectorAll('[data-testid="audit-row"]'));
    return rows.length > 0 && rows.every((r) => r.textContent!.includes('tier.')) && rows.some((r) => r.textContent!.includes('tier.update'));
  });
  const rows = await page.getByTestId('audit-row').allInnerTexts();
  t.true(rows.some((r) => /tier\.update/.test(r) && /high-end/.test(r)), rows.join('\n'));
  for (const id of ['audit-actor', 'audit-since', 'audit-until']) t.true(await page.getByTestId(id).isVisible(), id);
  await shot(page, 'admin-audit');
});

serial('users: every user is listed, and an invite gives a link to send', async (t) => {
  await page.goto('/admin/users');
  await page.locator(`[data-testid="user-row"][data-user-id="${w.provider.id}"]`).waitFor();
  t.true(await page.getByTestId(`user-role-${artist.id}`).isVisible());
  await page.getByTestId('invite-email').fill('new.artist@example.test');
  await page.getByTestId('invite-role').selectOption('artist');
  await page.getByTestId('invite-submit').click();
  const link = /\S*\/invite\?token=[\w-]+/.exec(await waitForText(page, 'invite-link', /\/invite\?token=/))![0];
  await shot(page, 'admin-users');
  // the invited person opens the link in a browser of their own and is in, as an artist
  const invited = await w.page();
  await invited.goto(link);
  await invited.getByLabel('Your name').fill('New Artist');
  await invited.getByLabel(/Choose a password/).fill('a brand new password 42');
  await invited.getByRole('button', { name: 'Create my account' }).click();
  t.is(await waitForText(invited, 'whoami', /New Artist/), 'New Artist');
  const users = (await w.c.call('GET', '/api/v1/users?limit=200', { key: w.c.admin.key })).body.items as { email: string; role: string }[];
  t.is(users.find((u) => u.email === 'new.artist@example.test')?.role, 'artist');
  await invited.context().close();
});

serial('the overview draws its three charts', async (t) => {
  // the 24-hour charts have one point per minute whatever the sample period: a plot needs two,
  // so a fresh coordinator shows the charts' empty state until its second minute
  t.timeout(120_000);
  const points = await eventually(async () => {
    const history = await w.c.call('GET', '/api/v1/metrics/history', { key: w.c.admin.key });
    return history.body.points?.length >= 2 && (history.body.points as { nodesOnline: number }[]);
  }, 90_000, 'two minutes of fleet samples');
  t.true(points.some((p) => p.nodesOnline >= 1), 'the sampler saw the node online');
  await page.goto('/admin');
  for (const id of ['chart-nodes', 'chart-frames', 'chart-queue']) {
    await page.locator(`[data-testid="${id}"] canvas`).first().waitFor();
    const box = await page.getByTestId(id).boundingBox();
    t.true(!!box && box.width > 100 && box.height > 50, `${id} has room: ${JSON.stringify(box)}`);
  }
  t.false((await shot(page, 'admin-overview', { phone: true })).phoneOverflow, 'the overview fits a phone');
  t.deepEqual(page.errors, [], 'no uncaught error in the page all along');
});
