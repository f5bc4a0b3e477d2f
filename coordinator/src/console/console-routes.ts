import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Context, Middleware } from 'koa';
import serve from 'koa-static';
import { LOCAL_STORAGE_PATH } from '../storage/local-disk-storage.js';

/** What the console may load: its own scripts and styles, previews as data: URLs, the live socket. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  // Preact sets style attributes (progress bars, chart sizes)
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Paths that are never the console's: an unknown one under them stays a JSON 404. */
const NOT_CONSOLE = new RegExp(`^(/api(/|$)|/socket\\.io(/|$)|/metrics$|/healthz$|${LOCAL_STORAGE_PATH})`);

/** Vite names these by their content hash: a changed file is a new name, so they never go stale. */
const ASSETS = '/assets/';

/**
 * The built web console at `/`: its files, with hashed assets cached for a year and everything
 * else revalidated; any other page a browser navigates to (`/admin/fleet`, `/jobs/ID`) gets
 * index.html, whose router takes it from there. Mount it last, after every API route. With no
 * `consoleDir`, or no index.html in it, `/` says how to build the console.
 */
export function consoleRoutes(consoleDir: string | null): Middleware {
  // the folder's own real path, looked up once (not per file served)
  let realRoot: string | null = null;
  const statics = consoleDir ? serve(consoleDir, { index: false, hidden: false, setHeaders: (res, path) => cacheHeaders(consoleDir, (realRoot ??= realpathSync(consoleDir)), res, path) }) : null;
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || NOT_CONSOLE.test(ctx.path)) return next();
    securityHeaders(ctx);
    if (statics && ctx.path !== '/' && ctx.path !== '/index.html') {
      let missed = false;
      await statics(ctx, async () => {
        missed = true;
      });
      if (!missed) return;
    }
    if (ctx.path.startsWith(ASSETS) || (ctx.path !== '/' && !navigates(ctx))) return next();
    const html = consoleDir ? await readFile(join(consoleDir, 'index.html'), 'utf8').catch(() => null) : null;
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'html';
    if (html === null) {
      ctx.status = 404;
      ctx.body = notBuiltPage(consoleDir);
      return;
    }
    ctx.body = html;
  };
}

/** A browser loading a page (not a script, an image or fetch() with the default Accept). */
function navigates(ctx: Context): boolean {
  return /\btext\/html\b/.test(ctx.get('accept'));
}

function securityHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'same-origin');
}

function cacheHeaders(root: string, realRoot: string, res: { setHeader(name: string, value: string): void }, path: string): void {
  // koa-send refuses `..` by name; a link inside the folder that points out of it is refused here
  const real = realpathSync(path);
  if (!real.startsWith(realRoot + sep)) throw Object.assign(new Error('outside the console folder'), { status: 404 });
  const hashed = path.startsWith(join(root, ASSETS));
  res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
}

function notBuiltPage(consoleDir: string | null): string {
  // the folder's path is the operator's business, not every visitor's
  const where = consoleDir
    ? '<p>The console folder this coordinator was given (<code>CLOUDEXPORT_CONSOLE_DIR</code>) has no <code>index.html</code>.</p>'
    : '<p>This coordinator was started without one (<code>CLOUDEXPORT_CONSOLE_DIR</code> is not set).</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>CloudExport: console not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#8882;padding:0 .25em}</style></head>
<body><h1>The web console is not built</h1>
${where}
<p><code>npm start</code> builds it and serves it here. To build it yourself: <code>cd web &amp;&amp; npx vite build</code>, then start the coordinator with <code>CLOUDEXPORT_CONSOLE_DIR=web/dist</code>.</p>
<p>The API works meanwhile: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>, <a href="/healthz">/healthz</a>.</p>
</body></html>
`;
}
