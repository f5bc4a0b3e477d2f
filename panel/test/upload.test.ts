import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ciphertextSize } from '@cloudexport/shared';
import { CoordinatorClient } from '../src/api/coordinator-client.js';
import { packBundle, type PackAsset, type PackedBundle } from '../src/bundle/pack.js';
import { uploadBundle, UploadError, type UploadProgress } from '../src/bundle/upload.js';
import { FakeCoordinator } from './helpers/fake-coordinator.js';

const PART = 64 * 1024;

async function setup(t: ExecutionContext) {
  const dir = await mkdtemp(join(tmpdir(), 'ce-upload-'));
  const fake = await FakeCoordinator.start({ partSize: PART, singleLimit: 100 * 1024 });
  t.teardown(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  const project = join(dir, 'Show.aep');
  await writeFile(project, randomBytes(10_000));
  const files = { big: join(dir, 'big.mov'), music: join(dir, 'music.wav'), logo: join(dir, 'logo.png'), copy: join(dir, 'logo-copy.png') };
  await writeFile(files.big, randomBytes(5 * PART - 1000)); // multipart: 5 parts
  await writeFile(files.music, randomBytes(30_000));
  const logo = randomBytes(2_000);
  await writeFile(files.logo, logo);
  await writeFile(files.copy, logo); // same bytes, another file: one blob
  const assets: PackAsset[] = [
    { originalPath: 'C:\\Show\\big.mov', localPath: files.big, role: 'footage' },
    { originalPath: 'C:\\Show\\music.wav', localPath: files.music, role: 'audio' },
    { originalPath: 'C:\\Show\\logo.png', localPath: files.logo, role: 'footage' },
    { originalPath: 'C:\\Show\\old\\logo.png', localPath: files.copy, role: 'footage' },
  ];
  const client = new CoordinatorClient({ baseUrl: fake.url, apiKey: fake.apiKey });
  const pack = () => packBundle({ projectPath: project, assets, comp: 'Main' });
  const upload = (bundle: PackedBundle, extra: Partial<Parameters<typeof uploadBundle>[0]> = {}) =>
    uploadBundle({ client, bundle, tempDir: dir, retryDelayMs: 1, ...extra });
  return { dir, fake, files, pack, upload };
}

const sealedOf = (bundle: PackedBundle, path: string) => ciphertextSize(bundle.files.find((f) => f.path === path)!.size);
const sealedTotal = (bundle: PackedBundle) => [...new Map(bundle.files.map((f) => [f.sha256, f.size])).values()].reduce((n, s) => n + ciphertextSize(s), 0);

test('uploads every blob once, sends no API key to storage, and registers the bundle', async (t) => {
  const { fake, pack, upload } = await setup(t);
  const bundle = await pack();
  const seen: UploadProgress[] = [];
  const result = await upload(bundle, { onProgress: (p) => seen.push(p) });
  t.is(result.blobs, 4, 'five files, four contents');
  t.is(result.uploaded.length, 4);
  t.is(fake.bytesReceived, sealedTotal(bundle), 'storage got each sealed blob exactly once');
  t.is(fake.storageRequestsWithApiKey, 0);
  t.deepEqual(fake.storedBlobs().sort(), [...new Set(bundle.files.map((f) => f.sha256))].sort(), 'each blob opened with its key to the right sha256');
  t.is(result.bundle.manifestId, bundle.manifestId);
  t.is(result.bundle.files, 5);
  const last = seen.at(-1)!;
  t.is(last.uploadedBytes, last.uploadTotal);
  t.is(last.sealedBytes, last.sealTotal);
  t.is(last.uploadTotal, sealedTotal(bundle));
});

test('a second export uploads nothing; after one asset changes, only that asset is sealed and sent', async (t) => {
  const { fake, files, pack, upload } = await setup(t);
  await upload(await pack());
  const afterFirst = fake.bytesReceived;

  const again = await upload(await pack());
  t.deepEqual(again.uploaded, []);
  t.is(fake.bytesReceived, afterFirst, 'not a byte sent');

  await writeFile(files.music, randomBytes(31_000));
  const changed = await pack();
  const seen: UploadProgress[] = [];
  const third = await upload(changed, { onProgress: (p) => seen.push(p) });
  const music = changed.files.find((f) => f.originalPath === 'C:\\Show\\music.wav')!;
  t.deepEqual(third.uploaded, [music.sha256]);
  t.is(fake.bytesReceived - afterFirst, sealedOf(changed, music.path));
  t.is(seen.at(-1)!.sealTotal, 31_000, 'only the changed file was read a second time, to seal it');
  t.is(fake.requests.filter((r) => r === 'POST /api/v1/bundles').length, 3);
});

test('a connection dropped mid-part: the retry asks again and sends only the parts still missing', async (t) => {
  const { fake, pack, upload } = await setup(t);
  const bundle = await pack();
  const big = bundle.files.find((f) => f.originalPath === 'C:\\Show\\big.mov')!;
  fake.dropOnce.add(`${big.sha256}:3`);
  await upload(bundle);
  const puts = (n: number) => fake.requests.filter((r) => r === `PUT /storage/${big.sha256}/${n}`).length;
  t.is(puts(3), 2, 'part 3 twice');
  for (const n of [1, 2, 4, 5]) t.is(puts(n), 1, `part ${n} once`);
  t.is(fake.requests.filter((r) => r === 'POST /api/v1/blobs').length, 5, 'four blobs, and one resume');
  t.true(fake.storedBlobs().includes(big.sha256), 'the resumed blob opens to the right bytes');
  const half = PART / 2;
  t.true(fake.bytesReceived >= sealedTotal(bundle) + half && fake.bytesReceived < sealedTotal(bundle) + PART, 'only the dropped half-part was sent twice');
});

test('a dropped single upload is sent again; coordinator trouble is waited out', async (t) => {
  const { fake, pack, upload } = await setup(t);
  const bundle = await pack();
  const music = bundle.files.find((f) => f.originalPath === 'C:\\Show\\music.wav')!;
  fake.dropOnce.add(`${music.sha256}:1`);
  fake.failStarts = 2;
  const result = await upload(bundle, { concurrency: 1 });
  t.is(result.uploaded.length, 4);
  t.is(fake.requests.filter((r) => r === `PUT /storage/${music.sha256}/1`).length, 2);
});

test('it gives up after maxAttempts with a clear error, and registers no bundle', async (t) => {
  const { fake, pack, upload } = await setup(t);
  fake.failStarts = 1_000;
  const err = await t.throwsAsync(upload(await pack(), { maxAttempts: 3 }), { instanceOf: UploadError });
  t.regex(err!.message, /after 3 tries/);
  t.false(fake.requests.includes('POST /api/v1/bundles'));
});

test('an aborted upload stops and leaves no sealed files behind', async (t) => {
  const { dir, fake, pack, upload } = await setup(t);
  const bundle = await pack();
  const abort = new AbortController();
  const pending = upload(bundle, { signal: abort.signal, onProgress: (p) => p.uploadedBytes > 0 && abort.abort(new Error('stop')) });
  await t.throwsAsync(pending);
  t.false(fake.requests.includes('POST /api/v1/bundles'));
  t.deepEqual((await readdir(dir)).filter((n) => n.startsWith('cloudexport-upload-')), []);
});
