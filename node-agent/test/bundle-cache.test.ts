import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { BlobCache, BlobIntegrityError } from '../src/bundle/blob-cache.js';
import { sha256, tempDir } from './bundle-fixtures.js';

const KB = 1024;

function blob(bytes: number): { sha: string; data: Buffer } {
  const data = randomBytes(bytes);
  return { sha: sha256(data), data };
}

async function put(cache: BlobCache, b: { sha: string; data: Buffer }): Promise<void> {
  await cache.add(b.sha, b.data.length, (temp) => writeFile(temp, b.data));
}

/** Makes `sha` look last used `secondsAgo` (mtime is the persisted LRU clock). */
async function age(cache: BlobCache, sha: string, secondsAgo: number): Promise<void> {
  const when = Date.now() / 1000 - secondsAgo;
  await utimes(cache.path(sha), when, when);
}

test('a blob added is stored read-only under its sha256 and found again', async (t) => {
  const cache = await BlobCache.open({ dir: await tempDir(t), capBytes: 1024 * KB });
  const a = blob(10 * KB);
  await put(cache, a);
  t.true(cache.has(a.sha));
  t.true(await cache.lookup(a.sha, a.data.length));
  t.deepEqual(await readFile(cache.path(a.sha)), a.data);
  t.is((await stat(cache.path(a.sha))).mode & 0o222, 0, 'no write bit: nothing writes through a work-folder link');
  t.is(cache.usedBytes, 10 * KB);
});

test('least recently used blobs go first, and a blob pinned by a running chunk never does', async (t) => {
  const cache = await BlobCache.open({ dir: await tempDir(t), capBytes: 300 * KB });
  const [a, b, c, d, e] = [blob(100 * KB), blob(100 * KB), blob(100 * KB), blob(100 * KB), blob(100 * KB)];
  for (const x of [a, b, c]) await put(cache, x);
  await age(cache, a.sha, 300); // a is the oldest...
  await age(cache, b.sha, 200);
  await age(cache, c.sha, 100);
  const cacheReopened = await BlobCache.open({ dir: cache.dir, capBytes: 300 * KB }); // ...as the folder says
  const release = cacheReopened.pin([a.sha]); // ...but in use
  await put(cacheReopened, d);
  t.true(cacheReopened.has(a.sha), 'pinned blob kept though least recently used');
  t.false(cacheReopened.has(b.sha), 'the least recently used unpinned blob went');
  t.true(cacheReopened.has(c.sha));
  await new Promise((r) => setTimeout(r, 5));
  await cacheReopened.touch(c.sha); // c used again: d is now the oldest unpinned
  await put(cacheReopened, e);
  t.false(cacheReopened.has(d.sha));
  t.true(cacheReopened.has(c.sha));
  t.true(cacheReopened.has(a.sha));
  t.true(cacheReopened.usedBytes <= 300 * KB);
  release();
  const f = blob(100 * KB);
  await put(cacheReopened, f);
  t.false(cacheReopened.has(a.sha), 'once released, the oldest goes');
  t.deepEqual((await readdir(join(cache.dir, 'blobs'))).sort(), [c.sha, e.sha, f.sha].sort());
});

test('blobs in use may hold the cache over its cap; it shrinks back when they are released', async (t) => {
  const over: number[] = [];
  const cache = await BlobCache.open({ dir: await tempDir(t), capBytes: 150 * KB, onOverCap: (used) => over.push(used) });
  const [a, b] = [blob(100 * KB), blob(100 * KB)];
  const release = cache.pin([a.sha, b.sha]);
  await put(cache, a);
  await put(cache, b);
  t.true(cache.has(a.sha) && cache.has(b.sha), 'a chunk needs both, so both stay');
  t.true(over.length > 0);
  release();
  await cache.trim();
  t.is(cache.blobCount, 1);
  t.true(cache.usedBytes <= 150 * KB);
});

test('the index survives a restart: blobs, sizes, bundles; unfinished downloads are dropped', async (t) => {
  const dir = await tempDir(t);
  const cache = await BlobCache.open({ dir, capBytes: 1024 * KB });
  const [a, b, c] = [blob(5 * KB), blob(6 * KB), blob(7 * KB)];
  for (const x of [a, b, c]) await put(cache, x);
  const older = crypto.randomUUID();
  const newer = crypto.randomUUID();
  await cache.rememberBundle(older, [a.sha, b.sha]);
  await cache.rememberBundle(newer, [c.sha]);
  t.deepEqual(cache.cachedBundles(), [newer, older]);
  await writeFile(join(dir, 'tmp', `${'f'.repeat(64)}.abc.part`), 'half a download');

  const again = await BlobCache.open({ dir, capBytes: 1024 * KB });
  t.is(again.blobCount, 3);
  t.is(again.usedBytes, 18 * KB);
  t.deepEqual(again.cachedBundles(), [newer, older]);
  t.deepEqual(await readdir(join(dir, 'tmp')), []);
  // a bundle missing one blob is no longer reported
  const small = await BlobCache.open({ dir, capBytes: 16 * KB });
  t.false(small.has(a.sha), 'the oldest blob went to fit the smaller cap');
  t.deepEqual(small.cachedBundles(), [newer]);
});

test('a failed write leaves nothing: no blob, no temp file', async (t) => {
  const cache = await BlobCache.open({ dir: await tempDir(t), capBytes: 1024 * KB });
  const a = blob(10 * KB);
  await t.throwsAsync(
    cache.add(a.sha, a.data.length, async (temp) => {
      await writeFile(temp, a.data.subarray(0, 100));
      throw new BlobIntegrityError('hash mismatch');
    }),
    { instanceOf: BlobIntegrityError },
  );
  t.false(cache.has(a.sha));
  t.deepEqual(await readdir(join(cache.dir, 'tmp')), []);
  t.deepEqual(await readdir(join(cache.dir, 'blobs')), []);
  // a writer that wrote the wrong length is caught too
  await t.throwsAsync(cache.add(a.sha, a.data.length, (temp) => writeFile(temp, a.data.subarray(1))), { instanceOf: BlobIntegrityError });
  t.deepEqual(await readdir(join(cache.dir, 'blobs')), []);
});

test('two chunks asking for one blob at once share one download', async (t) => {
  const cache = await BlobCache.open({ dir: await tempDir(t), capBytes: 1024 * KB });
  const a = blob(10 * KB);
  let writes = 0;
  const write = async (temp: string) => {
    writes += 1;
    await new Promise((r) => setTimeout(r, 30));
    await writeFile(temp, a.data);
  };
  await Promise.all([cache.add(a.sha, a.data.length, write), cache.add(a.sha, a.data.length, write)]);
  t.is(writes, 1);
  await cache.add(a.sha, a.data.length, write);
  t.is(writes, 1, 'already cached: not written again');
});

test('a cached file whose size changed on disk is dropped, so it is fetched again', async (t) => {
  const cache = await BlobCache.open({ dir: await tempDir(t), capBytes: 1024 * KB });
  const a = blob(10 * KB);
  await put(cache, a);
  t.false(await cache.lookup(a.sha, a.data.length + 1));
  t.false(cache.has(a.sha));
  t.is(cache.usedBytes, 0);
});

test('usage reads the folder without touching it (doctor beside a live daemon)', async (t) => {
  const dir = await tempDir(t);
  const cache = await BlobCache.open({ dir });
  await put(cache, blob(3 * KB));
  await writeFile(join(dir, 'tmp', 'in-progress.part'), 'x');
  const usage = await BlobCache.usage(dir, 5 * 1024 ** 3);
  t.deepEqual(usage, { dir, blobs: 1, usedBytes: 3 * KB, capBytes: 5 * 1024 ** 3 });
  t.deepEqual(await readdir(join(dir, 'tmp')), ['in-progress.part']);
});
