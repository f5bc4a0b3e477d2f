import { closeSync, openSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const webDir = join(repoRoot, 'web');
const distDir = join(webDir, 'dist');
/** Beside the PGlite template the tests cache: ignored by git, on the same disk as web/ (rename works). */
const cacheDir = join(repoRoot, 'node_modules/.cache/cloudexport');
const lockFile = join(cacheDir, 'console-build.lock');
/** A lock this old belongs to a builder that died: a build takes seconds. */
const STALE_LOCK_MS = 120_000;

/**
 * The built web console (absolute path of web/dist), built with Vite first when it is missing or
 * older than its sources. Safe to call from several test processes at once: one builds (under a
 * lock file) into a folder of its own and renames it into place; the others wait and reuse it.
 */
export async function ensureConsoleBuilt(): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  for (;;) {
    if (await isFresh()) return distDir;
    if (takeLock()) {
      try {
        // another process may have finished a build between our check and the lock
        if (!(await isFresh())) await buildInto(distDir);
      } finally {
        await rm(lockFile, { force: true });
      }
      return distDir;
    }
    await waitForLock();
  }
}

/** dist/index.html newer than every source the bundle is made of (the shared package included). */
async function isFresh(): Promise<boolean> {
  const built = await stat(join(distDir, 'index.html')).catch(() => null);
  if (!built) return false;
  const sources = Math.max(await newestMtime(join(webDir, 'src')), await newestMtime(join(webDir, 'index.html')), await newestMtime(join(webDir, 'vite.config.ts')), await newestMtime(join(repoRoot, 'shared/src')));
  return built.mtimeMs >= sources;
}

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs; // a deleted file shows only as its folder's mtime
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

function takeLock(): boolean {
  try {
    closeSync(openSync(lockFile, 'wx'));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function waitForLock(): Promise<void> {
  for (;;) {
    const lock = await stat(lockFile).catch(() => null);
    if (!lock) return;
    if (Date.now() - lock.mtimeMs > STALE_LOCK_MS) {
      await rm(lockFile, { force: true });
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function buildInto(target: string): Promise<void> {
  const { build } = await import('vite');
  const startedAt = new Date();
  const tmp = join(cacheDir, `console-dist-${process.pid}-${Date.now()}`);
  try {
    await build({
      configFile: join(webDir, 'vite.config.ts'),
      logLevel: 'warn',
      build: {
        outDir: tmp,
        emptyOutDir: true,
        // zod's misplaced /*#__PURE__*/ comments: noise in every test run, harmless to the bundle
        rollupOptions: { onwarn: (warning, warn) => warning.code !== 'INVALID_ANNOTATION' && warn(warning) },
      },
    });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`Building the web console (web/) with Vite failed: ${(err as Error).message}. Run \`cd web && npx vite build\` to see the whole error.`, { cause: err });
  }
  // stamped with the build's start: a source saved during the build makes it stale again
  await utimes(join(tmp, 'index.html'), startedAt, startedAt);
  const old = `${tmp}-old`;
  await rename(target, old).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rename(tmp, target);
  await rm(old, { recursive: true, force: true });
}
