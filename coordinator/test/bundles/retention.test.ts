import { randomUUID } from 'node:crypto';
import { stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import test from 'ava';
import { sweepBundleData } from '../../src/bundles/bundle-retention.js';
import { sealFile, startBody, uploadBlob, uploadBundle } from '../helpers/bundle-client.js';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

let c: TestCoordinator;
let artist: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  artist = await c.user('artist');
});
test.after.always(async () => c?.stop());

const DAY = 24 * 3600_000;
const objectFile = (key: string) => join(c.coordinator.deps.config.dataDir, 'storage', 'objects', key);
const exists = (key: string) => stat(objectFile(key)).then(() => true, () => false);
const sql = (text: string, params: unknown[] = []) => c.db.orm.em.getConnection().execute(text, params);
/** Makes a stored object look `days` old to storage. */
const age = (key: string, days: number) => utimes(objectFile(key), new Date(Date.now() - days * DAY), new Date(Date.now() - days * DAY));

test('the sweep deletes files, bundles and outputs past retention, rows and objects; a swept file is missing again and sent anew', async (t) => {
  const old = sealFile();
  const reused = sealFile();
  const recent = sealFile();
  const bundle = await uploadBundle(c, artist.key, [
    { path: 'project.aep', file: old },
    { path: 'footage/reused.mov', file: reused },
  ]);
  await uploadBlob(c, artist.key, recent);
  const pending = sealFile();
  await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(pending) });
  // eight days pass for everything of the bundle; a later bundle uses `reused` again (its row is fresh, its object old)
  await sql(`update blobs set used_at = now() - interval '8 days' where sha256 in (?, ?, ?)`, [old.sha256, reused.sha256, pending.sha256]);
  await sql(`update bundles set used_at = now() - interval '8 days' where id = ?`, [bundle.id]);
  await uploadBundle(c, artist.key, [{ path: 'again.aep', file: reused }]);
  await age(`blobs/${artist.id}/${reused.sha256}`, 8);
  // an object no row names, left by a delete that failed once
  const stray = `blobs/${artist.id}/${'e'.repeat(64)}`;
  await c.coordinator.deps.storage.putStream(stray, Readable.from([Buffer.from('stray')]));
  await age(stray, 8);
  // an output of a job, eight days old
  const job = (await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, comp: { ...sampleJob.comp, frameEnd: 0 }, chunkSize: 1 } })).body;
  const [chunk] = (await c.call('GET', `/api/v1/jobs/${job.id}/chunks`, { key: artist.key })).body.items;
  const outputKey = `outputs/${job.id}/${chunk.id}-1/frame_0000.png`;
  await c.coordinator.deps.storage.putStream(outputKey, Readable.from([Buffer.alloc(33)]));
  await sql(
    `insert into job_outputs (id, job_id, chunk_id, epoch, name, size, sha256, sealed_size, record_size, storage_key, wrapped_key, created_at) values (?, ?, ?, 1, 'frame_0000.png', 0, ?, 33, 65536, ?, 'x', now() - interval '8 days')`,
    [randomUUID(), job.id, chunk.id, 'a'.repeat(64), outputKey],
  );

  const result = await sweepBundleData(c.coordinator.deps, new Date(), 7);
  t.like(result, { blobs: 2, bundles: 1, outputs: 1, orphans: 1 });

  t.false(await exists(`blobs/${artist.id}/${old.sha256}`), 'the old file is gone from storage');
  t.true(await exists(`blobs/${artist.id}/${reused.sha256}`), 'a file a newer bundle uses stays, however old its object');
  t.true(await exists(`blobs/${artist.id}/${recent.sha256}`));
  t.false(await exists(stray), 'an object no row names goes');
  t.false(await exists(outputKey));
  t.is((await sql(`select count(*)::int as n from job_outputs where job_id = ?`, [job.id]))[0]!.n, 0);
  t.is((await c.call('GET', `/api/v1/bundles/${bundle.id}`, { key: artist.key })).status, 404);
  t.is((await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundle.id } })).status, 404);

  const missing = await c.call('POST', '/api/v1/blobs/missing', { key: artist.key, body: { blobs: [old, reused, recent].map((f) => ({ sha256: f.sha256, size: f.size })) } });
  t.deepEqual(missing.body.missing, [old.sha256]);
  // so the next upload sends it again, and then it is there
  const start = await c.call('POST', '/api/v1/blobs', { key: artist.key, body: startBody(old) });
  t.is(start.body.kind, 'single');
  await uploadBlob(c, artist.key, old);
  t.true(await exists(`blobs/${artist.id}/${old.sha256}`));
  t.deepEqual((await c.call('POST', '/api/v1/blobs/missing', { key: artist.key, body: { blobs: [{ sha256: old.sha256, size: old.size }] } })).body.missing, []);
});
