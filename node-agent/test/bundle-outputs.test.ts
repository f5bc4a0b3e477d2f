// Rendered frames leave sealed: the test server decrypts what it was sent with the chunk's key and
// compares it with the frames.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { ciphertextSize, newContentKey } from '@cloudexport/shared';
import { openBuffer } from '@cloudexport/shared/node';
import { sealOutputs, uploadOutputs } from '../src/bundle/output-upload.js';
import { TransferRefusedError } from '../src/bundle/signed-request.js';
import { sha256, storageDouble, tempDir } from './bundle-fixtures.js';

async function frames(dir: string, sizes: number[]): Promise<{ path: string; data: Buffer }[]> {
  return Promise.all(
    sizes.map(async (size, i) => {
      const data = randomBytes(size);
      const path = join(dir, `frame_${String(i).padStart(5, '0')}.tif`);
      await writeFile(path, data);
      return { path, data };
    }),
  );
}

test('frames are sealed under the chunk key, PUT with their exact sealed length, and decrypt to the frames', async (t) => {
  const storage = await storageDouble(t);
  const dir = await tempDir(t, 'outputs-');
  const rendered = await frames(dir, [1, 70_000, 2 * 1024 ** 2 + 5, 0, 4096, 1024 ** 2]);
  const key = newContentKey();
  const sealed = await sealOutputs(
    rendered.map((f) => f.path),
    join(dir, 'sealed'),
    key,
  );
  t.deepEqual(
    sealed.map((s) => [s.name, s.size, s.sha256, s.sealedSize]),
    rendered.map((f, i) => [`frame_${String(i).padStart(5, '0')}.tif`, f.data.length, sha256(f.data), ciphertextSize(f.data.length)]),
  );
  let sent = 0;
  await uploadOutputs(
    sealed,
    sealed.map((s) => ({ name: s.name, request: storage.request(`/outputs/${s.name}`, 'PUT') })),
    { parallel: 3, onBytes: (n) => (sent += n) },
  );
  for (const [i, s] of sealed.entries()) {
    const got = storage.received.get(`/outputs/${s.name}`);
    if (!got) return t.fail(`${s.name} not uploaded`);
    t.is(got.contentLength, String(s.sealedSize), `${s.name}: Content-Length is the sealed size`);
    t.is(sha256(openBuffer(key, got.body)), sha256(rendered[i]!.data), `${s.name} decrypts to the frame`);
  }
  t.is(sent, sealed.reduce((sum, s) => sum + s.sealedSize, 0));
  // another key opens nothing
  t.throws(() => openBuffer(newContentKey(), storage.received.get(`/outputs/${sealed[1]!.name}`)!.body));
});

test('a PUT answered 503 is sent again; the stored copy is whole', async (t) => {
  const storage = await storageDouble(t);
  const dir = await tempDir(t, 'outputs-');
  const [frame] = await frames(dir, [300_000]);
  const key = newContentKey();
  const sealed = await sealOutputs([frame!.path], join(dir, 'sealed'), key);
  storage.failPuts('/outputs/frame_00000.tif', 503, 2);
  let sent = 0;
  await uploadOutputs(sealed, [{ name: 'frame_00000.tif', request: storage.request('/outputs/frame_00000.tif', 'PUT') }], { retryDelayMs: 5, onBytes: (n) => (sent += n) });
  t.is(storage.requests.get('/outputs/frame_00000.tif'), 3);
  t.is(sha256(openBuffer(key, storage.received.get('/outputs/frame_00000.tif')!.body)), sha256(frame!.data));
  t.is(sent, sealed[0]!.sealedSize, 'progress counts the file once');
});

test('a refused PUT (403) fails at once with a clear message', async (t) => {
  const storage = await storageDouble(t);
  const dir = await tempDir(t, 'outputs-');
  const sealed = await sealOutputs((await frames(dir, [1000])).map((f) => f.path), join(dir, 'sealed'), newContentKey());
  const request = { ...storage.request('/outputs/frame_00000.tif', 'PUT'), headers: {} };
  const err = await t.throwsAsync(uploadOutputs(sealed, [{ name: 'frame_00000.tif', request }], { retryDelayMs: 5 }), { instanceOf: TransferRefusedError });
  t.regex(err!.message, /Storage answered 403 to the upload of frame_00000\.tif/);
  t.is(storage.requests.get('/outputs/frame_00000.tif'), 1);
});

test('an output with no upload URL, or a signed length that is not the file, is refused before sending', async (t) => {
  const storage = await storageDouble(t);
  const dir = await tempDir(t, 'outputs-');
  const sealed = await sealOutputs((await frames(dir, [1000, 2000])).map((f) => f.path), join(dir, 'sealed'), newContentKey());
  await t.throwsAsync(uploadOutputs(sealed, [{ name: 'frame_00000.tif', request: storage.request('/o/0', 'PUT') }]), { message: 'The coordinator gave no upload URL for frame_00001.tif.' });
  const lying = { ...storage.request('/o/0', 'PUT') };
  lying.headers = { ...lying.headers, 'Content-Length': '5' };
  await t.throwsAsync(uploadOutputs(sealed.slice(0, 1), [{ name: 'frame_00000.tif', request: lying }]), { message: /expects 5 bytes/ });
  t.is(storage.totalRequests(), 0);
});

test('file names that are not valid output names are refused', async (t) => {
  const dir = await tempDir(t, 'outputs-');
  const path = join(dir, 'frame 1.tif');
  await writeFile(path, 'x');
  await t.throwsAsync(sealOutputs([path], join(dir, 'sealed'), newContentKey()), { message: /"frame 1\.tif" cannot be uploaded/ });
});
