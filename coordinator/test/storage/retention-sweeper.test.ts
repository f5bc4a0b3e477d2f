import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskStorage } from '../../src/storage/local-disk-storage.js';
import { MIN_PART_SIZE_BYTES } from '../../src/storage/object-storage.js';
import { startRetentionSweeper, type SweepResult } from '../../src/storage/retention-sweeper.js';

test('the sweeper sweeps at start and on its interval, drops abandoned uploads, and stop() ends it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ce-sweeper-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const storage = new LocalDiskStorage({ root: dir, secret: randomBytes(32), publicBaseUrl: 'http://127.0.0.1:1' });
  const day = 86_400_000;
  const put = async (key: string, ageDays: number) => {
    await storage.putStream(key, Readable.from([Buffer.from(key)]));
    const at = new Date(Date.now() - ageDays * day);
    await utimes(join(dir, 'objects', ...key.split('/')), at, at);
  };
  await put('bundles/old.bin', 8);
  await put('bundles/recent.bin', 6);
  await put('outputs/j1/old.mov', 30);
  await put('keys/old.bin', 30); // outside the swept prefixes
  const abandoned = await storage.startMultipart('bundles/never-finished.bin', { size: MIN_PART_SIZE_BYTES + 1, partSize: MIN_PART_SIZE_BYTES });

  let now = new Date();
  const results: SweepResult[] = [];
  const errors: unknown[] = [];
  const sweeper = startRetentionSweeper(storage, {
    clock: { now: () => now },
    prefixes: ['bundles/', 'outputs/'],
    intervalMs: 50,
    onSweep: (r) => results.push(r),
    onError: (err) => errors.push(err),
  });
  await eventually(() => results.length >= 1);
  t.deepEqual(results[0]!.deleted.sort(), ['bundles/old.bin', 'outputs/j1/old.mov']);
  t.is(results[0]!.abandonedUploads, 0, 'an upload started just now is not abandoned');
  t.truthy(await storage.head('bundles/recent.bin'));
  t.truthy(await storage.head('keys/old.bin'));

  now = new Date(Date.now() + 8 * day); // a week and a day later
  await eventually(() => results.some((r) => r.deleted.includes('bundles/recent.bin')));
  await sweeper.stop();
  const after = results.length;
  t.true(results.some((r) => r.abandonedUploads === 1));
  await t.throwsAsync(storage.listUploadedParts('bundles/never-finished.bin', abandoned.uploadId), { message: /No upload/ });
  t.truthy(await storage.head('keys/old.bin'), 'prefixes bound the sweep');
  t.deepEqual(errors, []);
  await new Promise((r) => setTimeout(r, 150));
  t.is(results.length, after, 'no sweep after stop()');
});

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
