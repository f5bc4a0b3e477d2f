import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { CONSOLE_CSP } from '../../src/console/console-routes.js';
import { startTestCoordinator, type TestCoordinator } from '../helpers/test-coordinator.js';

// The built console served at `/` by the real coordinator, from a folder shaped like web/dist.

const test = anyTest as TestFn<{ root: string; c: TestCoordinator }>;
const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>';
const SCRIPT = 'console.log("console")';
const SECRET = 'the master key, say';

test.before(async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ce-console-'));
  const dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'assets', 'index-abc123.js'), SCRIPT);
  await writeFile(join(dist, 'robots.txt'), 'User-agent: *\n');
  await writeFile(join(root, 'secret.txt'), SECRET);
  await symlink(join(root, 'secret.txt'), join(dist, 'assets', 'leak.js'));
  const c = await startTestCoordinator({ config: { consoleDir: dist } });
  t.context = { root, c };
});
test.after.always(async (t) => {
  await t.context.c?.stop();
  await rm(t.context.root, { recursive: true, force: true });
});

const get = (c: TestCoordinator, path: string, accept = 'text/html,application/xhtml+xml,*/*;q=0.8') => fetch(`${c.url}${path}`, { headers: { accept } });

function expectConsoleHeaders(t: { is(a: unknown, b: unknown, m?: string): void }, res: Response): void {
  t.is(res.headers.get('content-security-policy'), CONSOLE_CSP);
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
  t.is(res.headers.get('referrer-policy'), 'same-origin');
}

test('/ is index.html, never cached without revalidating, with the console’s security headers', async (t) => {
  const res = await get(t.context.c, '/', '*/*');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/html/);
  t.is(res.headers.get('cache-control'), 'no-cache');
  expectConsoleHeaders(t, res);
  t.is(await res.text(), INDEX);
  t.true(CONSOLE_CSP.includes("default-src 'self'") && CONSOLE_CSP.includes("frame-ancestors 'none'") && CONSOLE_CSP.includes('connect-src \'self\' ws: wss:'));
});

test('hashed assets are cached for a year; other files revalidate', async (t) => {
  const asset = await get(t.context.c, '/assets/index-abc123.js', '*/*');
  t.is(asset.status, 200);
  t.regex(asset.headers.get('content-type') ?? '', /javascript/);
  t.is(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  expectConsoleHeaders(t, asset);
  t.is(await asset.text(), SCRIPT);
  const robots = await get(t.context.c, '/robots.txt', '*/*');
  t.is(robots.status, 200);
  t.is(robots.headers.get('cache-control'), 'no-cache');
});

test('a page the browser navigates to gets index.html (client-side routes); anything else that is missing is a 404', async (t) => {
  for (const path of ['/admin/fleet', '/jobs/0b7c3a58-2f7e-4a8e-9a55-3d0c1f7e2a11', '/settings/keys?tab=1']) {
    const res = await get(t.context.c, path);
    t.is(res.status, 200, path);
    t.is(await res.text(), INDEX, path);
    t.is(res.headers.get('cache-control'), 'no-cache');
  }
  t.is((await get(t.context.c, '/admin/fleet', 'application/json')).status, 404, 'not for fetch() or scripts');
  const asset = await get(t.context.c, '/assets/index-gone.js');
  t.is(asset.status, 404, 'a missing asset is not index.html, even for a browser');
  t.not(await asset.text(), INDEX);
});

test('the API, the sockets and /metrics are never the console: an unknown API path stays a JSON 404', async (t) => {
  const res = await get(t.context.c, '/api/v1/unknown');
  t.is(res.status, 404);
  t.regex(res.headers.get('content-type') ?? '', /application\/json/);
  t.is(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
  t.is((await get(t.context.c, '/api')).status, 404);
  t.regex((await get(t.context.c, '/api')).headers.get('content-type') ?? '', /json/);
  t.is((await get(t.context.c, '/metrics')).status, 401, 'the Prometheus route, not the console');
  t.is((await get(t.context.c, '/healthz')).status, 200);
  t.regex((await get(t.context.c, '/storage/some/key')).headers.get('content-type') ?? '', /json/, 'local storage links keep their own errors');
  t.is((await fetch(`${t.context.c.url}/admin/fleet`, { method: 'POST', headers: { accept: 'text/html' } })).status, 404, 'only GET and HEAD');
});

/** A request with the path exactly as written (fetch would normalize the dots away). */
function raw(c: TestCoordinator, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(c.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers: { accept: 'text/html' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('no path leaves the console folder: dots, encoded dots, backslashes, links', async (t) => {
  const attempts = ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/leak.js', '/assets/index-abc123.js%00.html'];
  for (const path of attempts) {
    const res = await raw(t.context.c, path);
    t.false(res.body.includes(SECRET), `${path} leaked the file outside`);
    t.true(res.status === 200 ? res.body === INDEX : res.status >= 400, `${path}: ${res.status}`);
  }
});

test('without a console folder, or without index.html in it, / says the console is not built and how to build it', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'ce-console-empty-'));
  const none = await startTestCoordinator();
  const unbuilt = await startTestCoordinator({ config: { consoleDir: empty } });
  try {
    for (const c of [none, unbuilt]) {
      const res = await get(c, '/');
      t.is(res.status, 404);
      t.regex(res.headers.get('content-type') ?? '', /^text\/html/);
      expectConsoleHeaders(t, res);
      const text = await res.text();
      t.regex(text, /console is not built/);
      t.regex(text, /npm start/);
      t.regex(text, /npx vite build/);
      t.false(text.includes(empty), 'the server’s folders are not shown');
      t.is((await get(c, '/api/v1/unknown')).status, 404);
    }
  } finally {
    await Promise.all([none.stop(), unbuilt.stop()]);
    await rm(empty, { recursive: true, force: true });
  }
});
