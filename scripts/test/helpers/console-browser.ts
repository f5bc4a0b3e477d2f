/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: they are typed with the DOM library.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestFn } from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CSRF_HEADER, type Role } from '@cloudexport/shared';
import type { CoordinatorOptions } from '../../../coordinator/src/config.js';
import type { FleetTiming } from '../../../coordinator/src/fleet/fleet-timing.js';
import { ADMIN_EMAIL } from '../../../coordinator/src/auth/bootstrap-admin.js';
import { startTestCoordinator, type Identity, type TestCoordinator } from '../../../coordinator/test/helpers/test-coordinator.js';
import { ensureConsoleBuilt } from '../../src/console-build.js';
import { AgentProcesses, root } from './agent-processes.js';
import { serialWithFfmpeg } from '../../../node-agent/test/helpers/ffmpeg-available.js';

// The web console in a real browser: Debian's Chromium driven by playwright-core, against the
// real coordinator serving the built console on port 0. Browser tests run serially where
// Chromium is found and say they were skipped, with why, where it is not.

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots land here (gitignored): a person can look at what the tests saw. */
export const artifactsDir = join(root, 'test-artifacts/console');

const DESKTOP = { width: 1280, height: 800 } as const;
const PHONE = { width: 375, height: 812 } as const;

/**
 * `test.serial` where Chromium is found (and ffmpeg, for journeys that render a movie), else
 * `test.serial.skip` and one skipped test naming `what` and what is missing.
 */
export function serialWithChromium<Context>(test: TestFn<Context>, what: string, needs: { ffmpeg?: boolean } = {}): TestFn<Context>['serial'] {
  if (!hasChromium) {
    test.skip(`${what} [skipped: ${CHROMIUM} not found; run scripts/ci/ensure-chromium.sh]`, () => {});
    return test.serial.skip as unknown as TestFn<Context>['serial'];
  }
  return needs.ffmpeg ? serialWithFfmpeg(test, what) : test.serial;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A user who signs in to the console with a password (and has an API key for the CLI and setup calls). */
export interface ConsoleUser extends Identity {
  password: string;
}

export interface ConsoleWorld {
  c: TestCoordinator;
  browser: Browser;
  /** The bootstrap admin, with its console password. */
  admin: ConsoleUser;
  /** Real agent processes (with the aerender double), enrolled as `provider`. */
  fleet: AgentProcesses;
  provider: ConsoleUser;
  work: string;
  /** A new user of `role` with a password, created by the admin over the API. */
  user(role: Role): Promise<ConsoleUser>;
  /** A page in a browser context of its own (its own cookies), at desktop size; page errors are kept. */
  page(): Promise<ConsolePage>;
  stop(): Promise<void>;
}

export interface ConsolePage extends Page {
  /** Uncaught exceptions in the page, as `message`: a journey ends by asserting there were none. */
  errors: string[];
}

const ADMIN_PASSWORD = 'the console admin 1234';
/**
 * Fleet timing for a journey: quick heartbeats and sweeps, but a lease long enough that two
 * browsers, a coordinator and an agent sharing 2 cores never lose a chunk to a stall.
 */
const FAST_TIMING: Partial<FleetTiming> = { heartbeatIntervalMs: 500, leaseMs: 15_000, sweepIntervalMs: 250 };

/**
 * The coordinator with the built console (embedded database, port 0), a provider for agent
 * processes, and Chromium. `config` adds coordinator options (e.g. `metricsSampleMs`).
 */
export async function startConsoleWorld(options: { config?: CoordinatorOptions; timing?: Partial<FleetTiming> } = {}): Promise<ConsoleWorld> {
  const consoleDir = await ensureConsoleBuilt();
  const config: CoordinatorOptions = { consoleDir, adminPassword: ADMIN_PASSWORD, ...options.config };
  const c = await startTestCoordinator({ config, timing: { ...FAST_TIMING, ...options.timing } });
  const browser = await launchChromium();
  const work = await mkdtemp(join(tmpdir(), 'ce-console-'));
  await mkdir(artifactsDir, { recursive: true });
  const user = async (role: Role): Promise<ConsoleUser> => {
    const identity = await c.user(role);
    const password = `password of ${identity.email}`;
    const set = await c.call('POST', `/api/v1/users/${identity.id}/password`, { key: c.admin.key, body: { password } });
    if (set.status !== 200) throw new Error(`could not set the ${role}'s password: ${JSON.stringify(set.body)}`);
    return { ...identity, password };
  };
  const provider = await user('provider');
  const fleet = await AgentProcesses.create(c, provider.key, work);
  return {
    c,
    browser,
    admin: { ...c.admin, email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    fleet,
    provider,
    work,
    user,
    async page() {
      const context = await browser.newContext({ viewport: DESKTOP, baseURL: c.url, acceptDownloads: true });
      const page = (await context.newPage()) as ConsolePage;
      page.errors = [];
      page.on('pageerror', (err) => page.errors.push(err.message));
      page.setDefaultTimeout(20_000);
      return page;
    },
    async stop() {
      fleet.stopAll('SIGKILL');
      await browser.close().catch(() => undefined);
      await c.stop();
    },
  };
}

/** Signs in through the real sign-in form, as a person would, and waits for the signed-in shell. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}

/**
 * A full-page PNG of what the page shows now, under test-artifacts/console/NAME.png at 1280×800
 * and, with `phone`, NAME-phone.png at 375×812 (then back to desktop size). Answers, for the
 * phone size, whether the page itself scrolled sideways (only a .table-wrap may): null without `phone`.
 */
export async function shot(page: Page, name: string, options: { phone?: boolean } = {}): Promise<{ phoneOverflow: boolean | null }> {
  // a click on a row's action scrolls its table sideways: show tables from their first column
  await page.evaluate(() => document.querySelectorAll('.table-wrap').forEach((el) => (el.scrollLeft = 0)));
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
  if (!options.phone) return { phoneOverflow: null };
  await page.setViewportSize(PHONE);
  await settle(page);
  const phoneOverflow = await pageOverflowsSideways(page);
  await page.screenshot({ path: join(artifactsDir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await settle(page);
  return { phoneOverflow };
}

/** How wide the table with this test id is, and how wide its scrolling frame: it fits when scroll ≤ client. */
export function tableWidth(page: Page, testId: string): Promise<{ scroll: number; client: number }> {
  // a string: tsx's helpers do not exist in the page (see DESIGN.md on page.evaluate)
  return page.evaluate(`(() => { const w = document.querySelector('[data-testid="${testId}"]').closest('.table-wrap'); return { scroll: w.scrollWidth, client: w.clientWidth }; })()`);
}

/** Two animation frames: the layout after a resize has been painted. */
function settle(page: Page): Promise<unknown> {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Whether the page's document is wider than its viewport: at phone width only a .table-wrap may
 * scroll sideways, never the page itself.
 */
function pageOverflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/** Waits until the text of `testId` (the first one; an input's value) matches `pattern`; answers the text. */
export async function waitForText(page: Page, testId: string, pattern: RegExp, timeout = 20_000): Promise<string> {
  const handle = await page.waitForFunction(
    ([id, source, flags]) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      const text = el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? el.value : (el?.textContent ?? '');
      return !!el && new RegExp(source!, flags).test(text) && text;
    },
    [testId, pattern.source, pattern.flags],
    { timeout },
  );
  return (await handle.jsonValue()) as string;
}

/** Waits until the element matched by `selector` has `attribute` = `value`. */
export async function waitForAttribute(page: Page, selector: string, attribute: string, value: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(([s, a, v]) => document.querySelector(s!)?.getAttribute(a!) === v, [selector, attribute, value], { timeout });
}

/**
 * `fetch` from inside the page, as the console would send it: the session cookie, and on writes
 * the CSRF token of the current session. Answers the status and the error code, so a refusal can
 * be told apart from a CSRF failure (also a 403).
 */
export async function fetchFromPage(page: Page, method: string, path: string): Promise<{ status: number; code: string | null }> {
  return page.evaluate(
    async ([m, p, header]) => {
      const current = await fetch('/api/v1/sessions/current');
      const session = (await current.json()) as { csrfToken?: string };
      if (current.status !== 200 || !session.csrfToken) throw new Error(`no session in the page (${current.status})`);
      const res = await fetch(p!, { method: m!, headers: { [header!]: session.csrfToken }, credentials: 'same-origin' });
      const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
      return { status: res.status, code: body?.error?.code ?? null };
    },
    [method, path, CSRF_HEADER],
  );
}
