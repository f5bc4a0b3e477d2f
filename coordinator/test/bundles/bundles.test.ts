import { createHash } from 'node:crypto';
import test from 'ava';
import { canonicalManifestJson } from '@cloudexport/shared';
import { manifestOf, sealFile, uploadBlob, uploadBundle } from '../helpers/bundle-client.js';
import { sampleJob, startTestCoordinator, type Identity, type TestCoordinator } from '../helpers/test-coordinator.js';

let c: TestCoordinator;
let artist: Identity;
let stranger: Identity;

test.before(async () => {
  c = await startTestCoordinator();
  artist = await c.user('artist');
  stranger = await c.user('artist');
});
test.after.always(async () => c?.stop());

test('a bundle whose files are all stored is registered under its manifest id; the same manifest again is the same bundle', async (t) => {
  const project = sealFile();
  const footage = sealFile();
  const files = [
    { path: 'project.aep', file: project },
    { path: 'footage/intro.mov', file: footage },
  ];
  for (const { file } of files) await uploadBlob(c, artist.key, file);
  const manifest = manifestOf(files);
  const res = await c.call('POST', '/api/v1/bundles', { key: artist.key, body: { manifest } });
  t.is(res.status, 201, JSON.stringify(res.body));
  t.like(res.body, { ownerId: artist.id, files: 2, bytes: project.size + footage.size });
  t.is(res.body.manifestId, createHash('sha256').update(canonicalManifestJson(manifest)).digest('hex'));
  // files listed in another order: same canonical manifest, same bundle
  const again = await c.call('POST', '/api/v1/bundles', { key: artist.key, body: { manifest: { ...manifest, files: [...manifest.files].reverse() } } });
  t.is(again.body.id, res.body.id);

  const got = await c.call('GET', `/api/v1/bundles/${res.body.id}`, { key: artist.key });
  t.is(got.status, 200);
  t.is(got.body.manifestId, res.body.manifestId);
  t.is((await c.call('GET', `/api/v1/bundles/${res.body.id}`, { key: c.admin.key })).status, 200);
  t.is((await c.call('GET', `/api/v1/bundles/${res.body.id}`, { key: stranger.key })).status, 404);
});

test('a bundle naming a file not stored (or stored with another size, or by someone else) is refused with the missing ones', async (t) => {
  const stored = sealFile();
  const notSent = sealFile();
  const othersOnly = sealFile();
  await uploadBlob(c, artist.key, stored);
  await uploadBlob(c, stranger.key, othersOnly);
  const res = await c.call('POST', '/api/v1/bundles', {
    key: artist.key,
    body: {
      manifest: manifestOf([
        { path: 'project.aep', file: stored },
        { path: 'footage/a.mov', file: notSent },
        { path: 'footage/b.mov', file: othersOnly },
      ]),
    },
  });
  t.is(res.status, 409);
  t.is(res.body.error.code, 'conflict');
  t.deepEqual(res.body.error.details.missing.sort(), [notSent.sha256, othersOnly.sha256].sort());
  t.regex(res.body.error.message, /2 of the bundle’s 3 files are not uploaded: footage\/a\.mov/);
  const wrongSize = manifestOf([{ path: 'project.aep', file: stored }]);
  wrongSize.files[0]!.size += 1;
  t.is((await c.call('POST', '/api/v1/bundles', { key: artist.key, body: { manifest: wrongSize } })).status, 409);
  // an invalid manifest never gets that far
  const escaping = manifestOf([{ path: 'project.aep', file: stored }]);
  escaping.files.push({ ...escaping.files[0]!, path: '../outside.mov', role: 'footage' });
  const invalid = await c.call('POST', '/api/v1/bundles', { key: artist.key, body: { manifest: escaping } });
  t.is(invalid.status, 400);
  t.regex(invalid.body.error.message, /\.\./);
});

test('a job renders one of its owner’s bundles, priced at the bundle’s size; another user’s bundle is not found', async (t) => {
  const bundle = await uploadBundle(c, artist.key, [{ path: 'project.aep', file: sealFile() }]);
  const job = await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: bundle.id } });
  t.is(job.status, 201, JSON.stringify(job.body));
  t.is(job.body.bundle, bundle.id);
  // the bundle's real size prices storage and transfer, not a size the client claims
  const claimed = { ...sampleJob, bundleBytes: 500e9 };
  const bundled = await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...claimed, bundle: bundle.id } });
  const unbundled = await c.call('POST', '/api/v1/jobs', { key: artist.key, body: claimed });
  t.true(bundled.body.estimatedUsd < unbundled.body.estimatedUsd, `${bundled.body.estimatedUsd} < ${unbundled.body.estimatedUsd}`);

  const theft = await c.call('POST', '/api/v1/jobs', { key: stranger.key, body: { ...sampleJob, bundle: bundle.id } });
  t.is(theft.status, 404);
  t.regex(theft.body.error.message, new RegExp(`No bundle ${bundle.id} of yours`));
  // not even an admin renders someone else's upload under their own name
  t.is((await c.call('POST', '/api/v1/jobs', { key: c.admin.key, body: { ...sampleJob, bundle: bundle.id } })).status, 404);
  t.is((await c.call('POST', '/api/v1/jobs', { key: artist.key, body: { ...sampleJob, bundle: 'not_a_bundle_id' } })).status, 404);
  // and without a bundle, as before
  const plain = await c.call('POST', '/api/v1/jobs', { key: artist.key, body: sampleJob });
  t.is(plain.status, 201);
  t.is(plain.body.bundle, null);
});
