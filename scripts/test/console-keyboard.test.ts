/// <reference lib="dom" />
import test from 'ava';
import type { Page } from 'playwright-core';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';
import { hasChromium, serialWithChromium, startConsoleWorld, waitForAttribute, waitForText, type ConsolePage, type ConsoleWorld } from './helpers/console-browser.js';

// The console with the keyboard only, in Chromium against the real coordinator and a real agent
// process: sign in, move between pages, edit and save a tier's price, and reach every control of
// the fleet's rows with Tab, Enter and Space; no mouse click anywhere.

const serial = serialWithChromium(test, 'the console with the keyboard only');

let w: ConsoleWorld;
let page: ConsolePage;
let nodeId: string;

test.before(async () => {
  if (!hasChromium) return;
  w = await startConsoleWorld();
  const node = await w.fleet.enroll('keyboard-node');
  nodeId = node.nodeId;
  w.fleet.start(node.home, ['run']);
  await eventually(async () => (await w.c.call('GET', `/api/v1/nodes/${nodeId}`, { key: w.c.admin.key })).body.state === 'online', 30_000, 'the node online');
  page = await w.page();
});

test.after.always(async () => {
  await w?.stop();
});

/** What has the keyboard focus now, as a person would name it. */
interface Focused {
  tag: string;
  text: string;
  testId: string | null;
  href: string | null;
  name: string | null;
  id: string;
  /** Its size: a Tab stop one cannot see is no use. */
  width: number;
  height: number;
  /** Whether a focus ring shows (an outline or a box shadow under :focus-visible). */
  ring: boolean;
  /** Whether it is the row's node control (inside the node row of the given id). */
  inRow: string | null;
  /** Its mark from markControls, if it has one. */
  probe: string | null;
}

/** Marks every visible, enabled link, button, input, select and textarea of the page (data-kb-probe); answers how many. */
function markControls(p: Page): Promise<number> {
  return p.evaluate(() => {
    const all = Array.from(document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')).filter(
      (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !(el as HTMLButtonElement).disabled,
    );
    all.forEach((el, i) => el.setAttribute('data-kb-probe', String(i)));
    return all.length;
  });
}

function focused(p: Page): Promise<Focused> {
  return p.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const style = el ? getComputedStyle(el) : null;
    const rect = el?.getBoundingClientRect();
    const ring = !!style && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none');
    return {
      tag: el?.tagName.toLowerCase() ?? 'none',
      text: (el?.innerText ?? el?.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60),
      testId: el?.getAttribute('data-testid') ?? null,
      href: el?.getAttribute('href') ?? null,
      name: el?.getAttribute('name') ?? null,
      id: el?.id ?? '',
      width: rect?.width ?? 0,
      height: rect?.height ?? 0,
      ring,
      inRow: el?.closest('[data-testid="node-row"]')?.getAttribute('data-node-id') ?? null,
      probe: el?.getAttribute('data-kb-probe') ?? null,
    };
  });
}

const describe = (f: Focused) => `${f.tag}${f.testId ? `[${f.testId}]` : ''}${f.text ? ` "${f.text}"` : ''}`;

/** Presses Tab until `match` holds for the focused element (at most `max` presses); answers what was passed on the way. */
async function tabUntil(p: Page, match: (f: Focused) => boolean, max = 60): Promise<{ found: Focused; path: Focused[] }> {
  const path: Focused[] = [];
  for (let i = 0; i < max; i++) {
    await p.keyboard.press('Tab');
    const f = await focused(p);
    path.push(f);
    if (match(f)) return { found: f, path };
  }
  throw new Error(`not reached in ${max} Tab presses; the Tab order was: ${path.map(describe).join(' → ')}`);
}

/** A fresh load of `path`, nothing focused yet: the next Tab is the page's first Tab stop. */
async function freshLoad(p: Page, path: string, ready: string): Promise<void> {
  await p.goto(path);
  await p.locator(ready).first().waitFor();
  t0Focus(await focused(p));
}

function t0Focus(f: Focused): void {
  if (f.tag !== 'body') throw new Error(`a fresh page has focus on ${describe(f)}, not on the document`);
}

serial('sign in with the keyboard only: Tab to the email, type, Tab to the password, type, Enter', async (t) => {
  await page.goto('/');
  await page.locator('input[name="email"]').waitFor();
  t0Focus(await focused(page));
  await page.keyboard.press('Tab');
  const first = await focused(page);
  t.is(first.name, 'email', `the first Tab stop of the sign-in page is the email field, not ${describe(first)}`);
  t.true(first.ring, 'the focused email field shows a focus ring');
  await page.keyboard.type(w.admin.email);
  await page.keyboard.press('Tab');
  t.is((await focused(page)).name, 'password', 'Tab goes from the email to the password');
  await page.keyboard.type(w.admin.password);
  await page.keyboard.press('Enter');
  const me = (await w.c.call('GET', '/api/v1/me', { key: w.c.admin.key })).body as { name: string };
  t.is(await waitForText(page, 'whoami', /\S/), me.name, 'signed in as the admin');
  await page.waitForFunction(() => location.pathname === '/admin');
});

serial('the skip link is the first Tab stop, shows when focused, and moves the focus to the content', async (t) => {
  await freshLoad(page, '/admin/fleet', `[data-testid="node-row"][data-node-id="${nodeId}"]`);
  await page.keyboard.press('Tab');
  const skip = await focused(page);
  t.is(skip.tag, 'a');
  t.is(skip.text, 'Skip to content', `the first Tab stop is the skip link, not ${describe(skip)}`);
  t.is(skip.href, '#main');
  const box = await page.evaluate(() => document.activeElement!.getBoundingClientRect().toJSON() as DOMRect);
  t.true(box.left >= 0 && box.top >= 0 && box.width > 0 && box.height > 0, `the focused skip link is on screen: ${JSON.stringify(box)}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'main');
  t.is(await page.evaluate(() => location.pathname), '/admin/fleet', 'the skip link stays on the page');
  // the next Tab goes into the page's content, past the header and the nav: its first control
  await page.keyboard.press('Tab');
  const next = await focused(page);
  t.true(await page.evaluate(() => !!document.activeElement?.closest('main')), `after the skip, Tab lands in the content: ${describe(next)}`);
  t.is(next.href, '/nodes/add', `the content's first control, "Add a node", not ${describe(next)}`);
});

serial('the Fleet page is reached from the nav with Tab and Enter', async (t) => {
  await freshLoad(page, '/admin', '[data-testid="whoami"]');
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  const { found, path } = await tabUntil(page, (f) => f.tag === 'a' && f.text === 'Fleet', 20);
  t.is(found.href, '/admin/fleet');
  t.true(found.ring, 'the focused nav link shows a focus ring');
  t.log(`Tab order to the Fleet link: ${path.map(describe).join(' → ')}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.pathname === '/admin/fleet');
  await page.locator(`[data-testid="node-row"][data-node-id="${nodeId}"]`).waitFor();
  t.is(await page.locator('main h1').innerText(), 'Fleet');
  t.is(await page.locator('nav a[aria-current="page"]').innerText(), 'Fleet', 'the nav marks the page it is on');
  t.true(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true), 'the console routed in place, without a reload');
});

serial('every control of the fleet page and of its node row is in the Tab order; Drain works from the keyboard', async (t) => {
  await freshLoad(page, '/admin/fleet', `[data-testid="node-row"][data-node-id="${nodeId}"]`);
  const controls = await markControls(page);
  t.true(controls >= 20, `${controls} controls on the fleet page`);
  // Tab through the whole page until the focus comes round to the skip link again
  const order: Focused[] = [];
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    // past the last control the focus leaves the document (body), then comes round to the start
    if (f.tag === 'body' || (order.length > 0 && f.text === 'Skip to content')) break;
    order.push(f);
  }
  t.log(`fleet Tab order (${order.length} stops): ${order.map(describe).join(' → ')}`);
  const row = order.filter((f) => f.inRow === nodeId);
  t.true(
    row.some((f) => f.testId === 'node-drain'),
    `the row's Drain button is in the Tab order: ${row.map(describe).join(', ')}`,
  );
  t.true(row.some((f) => f.testId === 'node-disable'), 'the row’s Disable button is in the Tab order');
  t.true(row.some((f) => f.tag === 'a' && f.href === `/nodes/${nodeId}`), 'the row’s link to the node page is in the Tab order');
  for (const id of ['fleet-search', 'fleet-filter-state', 'fleet-filter-tier', 'fleet-filter-ae', 'fleet-filter-owner']) t.true(order.some((f) => f.testId === id), `${id} is in the Tab order`);
  t.true(order.filter((f) => f.tag === 'button' && !f.inRow && f.text !== 'Sign out' && f.text !== 'Menu').length >= 10, 'the sort buttons of the column headers are in the Tab order');

  // every control the page offers to a mouse is in the Tab order: nothing interactive is skipped
  const missing = await page.evaluate((reachedProbes) => {
    const seen = new Set(reachedProbes);
    return Array.from(document.querySelectorAll<HTMLElement>('[data-kb-probe]'))
      .filter((el) => !seen.has(el.getAttribute('data-kb-probe')))
      .map((el) => `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''} "${(el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`);
  }, order.map((f) => f.probe));
  t.deepEqual(missing, [], 'every visible link, button, input and select of the page is a Tab stop');
  const unseen = order.filter((f) => f.width === 0 || f.height === 0);
  t.deepEqual(unseen.map(describe), [], 'no Tab stop is invisible');
  const noRing = order.filter((f) => !f.ring);
  t.deepEqual(noRing.map(describe), [], 'every Tab stop shows a focus ring');

  // Drain from the keyboard: Tab to it, Enter asks, the confirmation is the next Tab stop, Enter drains
  await freshLoad(page, '/admin/fleet', `[data-testid="node-row"][data-node-id="${nodeId}"]`);
  await tabUntil(page, (f) => f.testId === 'node-drain' && f.inRow === nodeId, 80);
  await page.keyboard.press('Enter');
  await page.getByTestId('node-drain-confirm').waitFor();
  const afterAsk = await focused(page);
  t.log(`after Enter on Drain the focus is on ${describe(afterAsk)}`);
  if (afterAsk.testId !== 'node-drain-confirm') {
    await page.keyboard.press('Tab');
    const next = await focused(page);
    t.is(next.testId, 'node-drain-confirm', `the next Tab after asking reaches "Yes, drain", not ${describe(next)}`);
  }
  await page.keyboard.press('Enter');
  await waitForAttribute(page, `[data-testid="node-row"][data-node-id="${nodeId}"]`, 'data-state', 'draining');
  t.is((await w.c.call('GET', `/api/v1/nodes/${nodeId}`, { key: w.c.admin.key })).body.state, 'draining', 'the server drained the node');

  // and back with Enable, by Space this time
  await freshLoad(page, '/admin/fleet', `[data-testid="node-row"][data-node-id="${nodeId}"][data-state="draining"]`);
  await tabUntil(page, (f) => f.testId === 'node-enable' && f.inRow === nodeId, 80);
  await page.keyboard.press('Space');
  await page.getByTestId('node-enable-confirm').waitFor();
  if ((await focused(page)).testId !== 'node-enable-confirm') await page.keyboard.press('Tab');
  t.is((await focused(page)).testId, 'node-enable-confirm');
  await page.keyboard.press('Space');
  await waitForAttribute(page, `[data-testid="node-row"][data-node-id="${nodeId}"]`, 'data-state', 'online');
  t.is((await w.c.call('GET', `/api/v1/nodes/${nodeId}`, { key: w.c.admin.key })).body.state, 'online', 'the server enabled the node');
});

serial('a tier’s price is edited and saved with the keyboard (Space on Save, Enter in the field)', async (t) => {
  const priceOf = async (id: string) => ((await w.c.call('GET', '/api/v1/tiers', { key: w.c.admin.key })).body.items as { id: string; pricePerMinuteUsd: number }[]).find((x) => x.id === id)!.pricePerMinuteUsd;
  await freshLoad(page, '/admin/money', '[data-testid="tier-row"][data-tier-id="high-end"]');
  const before = await priceOf('high-end');
  const price = before === 0.75 ? '0.8' : '0.75';

  // Tab to the price, select what is there, type the new one; Tab past the models to Save; Space
  const { found } = await tabUntil(page, (f) => f.testId === 'tier-price-high-end', 60);
  t.true(found.ring, 'the focused price field shows a focus ring');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(price);
  t.is(await page.getByTestId('tier-price-high-end').inputValue(), price);
  const save = await tabUntil(page, (f) => f.testId === 'tier-save-high-end', 3);
  t.is(save.path.length, 2, `Save is two Tab stops after the price (past the models): ${save.path.map(describe).join(' → ')}`);
  t.true(save.found.ring, 'the focused Save button shows a focus ring');
  await page.keyboard.press('Space');
  await eventually(async () => (await priceOf('high-end')) === Number(price), 10_000, `the price ${price} saved`);
  t.regex(await waitForText(page, 'tier-status-high-end', /Saved at/), /Saved at/, 'the row says it saved');

  // Enter in the price field submits its row's form too
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  t.is((await focused(page)).testId, 'tier-price-high-end', 'Shift+Tab goes back to the price');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('0.9');
  await page.keyboard.press('Enter');
  await eventually(async () => (await priceOf('high-end')) === 0.9, 10_000, 'the price 0.9 saved by Enter');
  t.is(await page.getByTestId('tier-price-high-end').inputValue(), '0.9');
  t.deepEqual(page.errors, [], 'no uncaught error in the page all along');
});
