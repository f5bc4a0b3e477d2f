import { join } from 'node:path';
import test from 'ava';
import { hasFfmpeg } from '../../node-agent/test/helpers/ffmpeg-available.js';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';
import { fetchFromPage, hasChromium, serialWithChromium, shot, signIn, startConsoleWorld, waitForAttribute, waitForText, type ConsolePage, type ConsoleWorld } from './helpers/console-browser.js';
import { jobOf, submitRenderJob } from './helpers/console-jobs.js';

// The GPU owner's console in Chromium: the install command from "Add a node" really enrolls a
// real agent process, which shows up in My nodes live; pause and resume act on it; earnings
// match the API; the admin pages stay shut.

// the paid job renders an MP4: its assembly needs ffmpeg
const serial = serialWithChromium(test, 'the provider console in a real browser', { ffmpeg: true });

let w: ConsoleWorld;
let page: ConsolePage;
let nodeId: string;

test.before(async () => {
  if (!hasChromium || !hasFfmpeg) return;
  w = await startConsoleWorld();
  page = await w.page();
  await signIn(page, w.provider.email, w.provider.password);
});

test.after.always(async () => {
  await w?.stop();
});

const rowOf = (id: string) => `[data-testid="node-row"][data-node-id="${id}"]`;
const nodeState = async (id: string) => (await w.c.call('GET', `/api/v1/nodes/${id}`, { key: w.provider.key })).body.state as string;

serial('“Add a node” gives an install command that enrolls a real agent, which appears in My nodes live', async (t) => {
  await page.goto('/nodes/add');
  await page.getByTestId('enroll-create').click();
  const command = await waitForText(page, 'enroll-command', /--token\s+\S+/);
  t.is(await page.getByTestId('enroll-command').evaluate((el) => el.tagName), 'PRE');
  const token = /--token\s+(\S+)/.exec(command)![1]!;
  const coordinator = /--coordinator\s+(\S+)/.exec(command)?.[1];
  t.is(coordinator, w.c.url, 'the command points at the coordinator the console came from');
  await shot(page, 'provider-add-node', { phone: true });

  await page.goto('/nodes');
  await page.locator('[data-testid="node-table"], .state-empty').first().waitFor();
  t.is(await page.getByTestId('node-row').count(), 0, 'no node yet');
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

  // what the owner pastes on the GPU machine: enroll with the page's token, then run
  const home = join(w.work, 'provider-gpu');
  const enroll = w.fleet.start(home, ['enroll', '--coordinator', coordinator!, '--token', token, '--name', 'provider-gpu']);
  const code = await new Promise((resolve) => enroll.on('exit', resolve));
  t.is(code, 0, enroll.output());
  nodeId = /Enrolled node ([0-9a-f-]{36})/.exec(enroll.output())![1]!;
  // frames slow enough that the owner sees a chunk's count rise (the earnings test)
  w.fleet.start(home, ['run'], { AERENDER_DOUBLE_FRAME_DELAY_MS: '250' });
  await waitForAttribute(page, rowOf(nodeId), 'data-state', 'online', 30_000);
  t.true(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true), 'the row came over the socket, not from a reload');
  t.regex(await page.locator(rowOf(nodeId)).innerText(), /provider-gpu/);
  t.is(await nodeState(nodeId), 'online');

  // the token worked once
  const again = w.fleet.start(join(w.work, 'again'), ['enroll', '--coordinator', coordinator!, '--token', token, '--name', 'again']);
  t.not(await new Promise((resolve) => again.on('exit', resolve)), 0, 'a used token is refused');
});

serial('pause asks first, then the node drains; resume brings it back online', async (t) => {
  const row = page.locator(rowOf(nodeId));
  t.is((await row.getByTestId('node-drain').innerText()).trim(), 'Pause');
  await row.getByTestId('node-drain').click();
  t.is(await nodeState(nodeId), 'online', 'the first click only asks');
  await row.getByTestId('node-drain-confirm').click();
  await waitForAttribute(page, rowOf(nodeId), 'data-state', 'draining');
  t.is(await nodeState(nodeId), 'draining');
  t.is((await row.getByTestId('node-enable').innerText()).trim(), 'Resume');
  await row.getByTestId('node-enable').click();
  await row.getByTestId('node-enable-confirm').click();
  await waitForAttribute(page, rowOf(nodeId), 'data-state', 'online');
  t.is(await nodeState(nodeId), 'online');
  t.false((await shot(page, 'provider-nodes', { phone: true })).phoneOverflow, 'My nodes fits a phone');
});

serial('the node page shows the owner’s node', async (t) => {
  await page.goto(`/nodes/${nodeId}`);
  await page.getByText('provider-gpu').first().waitFor();
  t.regex(await page.locator('main').innerText(), /RTX 4090/);
  await shot(page, 'provider-node');
});

serial('My nodes shows the frames of the chunk a node renders, live; earnings show what it earned, as the API counts it, by node and by day', async (t) => {
  // the node renders a small job, so there is something to be paid for
  const artist = await w.c.user('artist');
  await page.goto('/nodes');
  await waitForAttribute(page, rowOf(nodeId), 'data-state', 'online');
  const FRAMES = 20;
  const jobId = await submitRenderJob(w.c, artist.key, { frames: FRAMES, chunkSize: FRAMES, name: 'Paid work' });
  // the row's frame bar moves on while the chunk renders: the owner's progress events, not a reload
  const bar = `${rowOf(nodeId)} [role="progressbar"]`;
  await page.waitForFunction((s) => Number(document.querySelector(s)?.getAttribute('aria-valuenow') ?? 0) > 0, bar, { timeout: 30_000 });
  const seen = Number(await page.locator(bar).getAttribute('aria-valuenow'));
  t.true(seen > 0 && seen < FRAMES, `seen mid-chunk at ${seen}/${FRAMES}`);
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s as string)?.getAttribute('aria-valuenow') ?? 0) > (n as number), [bar, seen] as const, { timeout: 30_000 });
  t.regex(await page.locator(rowOf(nodeId)).innerText(), /Rendering/);
  t.notRegex(await page.locator(rowOf(nodeId)).innerText(), /Paid work/, 'whose job it renders is not the owner’s business');
  const earningsNow = async () => (await w.c.call('GET', '/api/v1/earnings', { key: w.provider.key })).body as { totalUsd: number; byNode: { nodeId: string; usd: number }[] };
  await eventually(async () => (await jobOf(w.c, artist.key, jobId)).state === 'COMPLETED', 60_000, 'the job to complete');
  // every chunk (the frames, then the assembly) is charged once it is done
  const earnings = await earningsNow();
  t.true(earnings.totalUsd > 0, 'the node earned');
  t.is(earnings.byNode[0]?.nodeId, nodeId);
  await page.goto('/earnings');
  const text = await waitForText(page, 'earnings-total', /\$\s*\d/);
  t.regex(await page.getByTestId('earnings-by-node').innerText(), /provider-gpu/);
  // the console shows amounts under $1 to 4 decimals (over, to the cent): equal to what it shows
  const shown = Number(/\$\s*([\d,]+(?:\.\d+)?)/.exec(text)![1]!.replace(/,/g, ''));
  t.true(Math.abs(shown - earnings.totalUsd) < (earnings.totalUsd < 1 ? 0.0001 : 0.01), `shown $${shown}, API $${earnings.totalUsd}`);
  await page.getByTestId('earnings-by-day').waitFor();
  t.true(await page.getByTestId('earnings-by-node').isVisible());
  t.false((await shot(page, 'provider-earnings', { phone: true })).phoneOverflow, 'earnings fit a phone');
});

serial('the admin pages and endpoints are refused to a provider', async (t) => {
  await page.goto('/admin/fleet');
  await page.getByTestId('forbidden').waitFor();
  t.is(await page.getByTestId('node-table').count(), 0);
  t.deepEqual(await fetchFromPage(page, 'POST', `/api/v1/nodes/${nodeId}/disable`), { status: 403, code: 'forbidden' }, 'only admins disable');
  t.deepEqual(await fetchFromPage(page, 'GET', '/api/v1/audit'), { status: 403, code: 'forbidden' });
  t.is(await nodeState(nodeId), 'online');
  t.deepEqual(page.errors, [], 'no uncaught error in the page all along');
});

serial('revoke, on the node page, asks first; then the node is revoked for good and its agent is cut off', async (t) => {
  await page.goto(`/nodes/${nodeId}`);
  await page.getByTestId('node-revoke').click();
  t.is(await nodeState(nodeId), 'online', 'the first click only asks');
  await page.getByTestId('node-revoke-confirm').click();
  await waitForAttribute(page, '[data-testid="node-status"]', 'data-state', 'disabled');
  await waitForText(page, 'node-status', /Revoked/);
  const node = (await w.c.call('GET', `/api/v1/nodes/${nodeId}`, { key: w.provider.key })).body as { state: string; revoked: boolean; connected: boolean };
  t.like(node, { state: 'disabled', revoked: true });
  t.is(await page.getByTestId('node-revoke').count(), 0, 'nothing more to revoke');
  t.is(await page.getByTestId('node-enable').count(), 0, 'and nothing to resume: it must enroll again');
  // the agent was dropped and its handshake is refused from now on: the page says so by itself
  await waitForText(page, 'node-status', /Not connected/, 15_000);
  await shot(page, 'provider-node-revoked');
  await eventually(async () => !(await w.c.call('GET', `/api/v1/nodes/${nodeId}`, { key: w.provider.key })).body.connected, 30_000, 'the agent cut off');
  t.is(await page.getByText('Drain: ').count() + (await page.getByText('Pause a node before').count()), 0, 'no hint about actions it no longer has');
  t.deepEqual(page.errors, []);
});
