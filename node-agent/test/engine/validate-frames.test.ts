import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { frameFileName, validateAudioFile, validateFrames } from '../../src/engine/aerender/validate-frames.js';

async function folderWith(frames: Record<number, number>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'validate-frames-'));
  for (const [frame, size] of Object.entries(frames)) {
    await writeFile(join(dir, frameFileName('frame_[#####].png', Number(frame))), Buffer.alloc(size, 1));
  }
  return dir;
}

test('frameFileName pads like AE and grows past the token width', (t) => {
  t.is(frameFileName('frame_[#####].png', 42), 'frame_00042.png');
  t.is(frameFileName('f[###].tif', 123456), 'f123456.tif');
  t.throws(() => frameFileName('movie.mov', 1), { message: /no \[###\] frame-number token/ });
});

test('all frames present → their absolute paths in order', async (t) => {
  const dir = await folderWith({ 5: 100, 6: 100, 7: 100 });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const result = await validateFrames(dir, 'frame_[#####].png', 5, 7);
  t.deepEqual(result, { ok: true, frames: [5, 6, 7].map((f) => join(dir, `frame_0000${f}.png`)) });
});

test('missing and too-small frames are named', async (t) => {
  const dir = await folderWith({ 5: 100, 7: 10, 9: 100 });
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const result = await validateFrames(dir, 'frame_[#####].png', 5, 9, 64);
  if (result.ok) return t.fail('expected a failure');
  t.deepEqual(result.missing, [6, 8]);
  t.deepEqual(result.tooSmall, [7]);
  t.regex(result.message, /3 of 5 frames \(5–9\)/);
  t.regex(result.message, /missing frames 6, 8/);
  t.regex(result.message, /under 64 bytes: 7/);
});

test('a missing output folder reports every frame missing', async (t) => {
  const result = await validateFrames(join(tmpdir(), 'no-such-folder-xyz'), 'frame_[#####].png', 1, 12);
  if (result.ok) return t.fail('expected a failure');
  t.is(result.missing.length, 12);
  t.regex(result.message, /missing frames 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more/);
});

test('validateAudioFile: an AIFF passes; a missing file or another format is named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'validate-audio-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const aiff = Buffer.concat([Buffer.from('FORM'), Buffer.alloc(4), Buffer.from('AIFF'), Buffer.alloc(64)]);
  await writeFile(join(dir, 'audio.aif'), aiff);
  t.deepEqual(await validateAudioFile(join(dir, 'audio.aif')), { ok: true, path: join(dir, 'audio.aif') });

  const missing = await validateAudioFile(join(dir, 'none.aif'));
  t.like(missing, { ok: false });
  if (!missing.ok) t.regex(missing.message, /wrote no audio file at .*none\.aif\. The chunk must be rendered again/);

  await writeFile(join(dir, 'wav.aif'), Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE'), Buffer.alloc(64)]));
  const wav = await validateAudioFile(join(dir, 'wav.aif'));
  if (wav.ok) return t.fail('a WAV passed as AIFF');
  t.regex(wav.message, /wav\.aif \(76 bytes\) is not an AIFF file/);

  await writeFile(join(dir, 'short.aif'), 'FORM');
  t.like(await validateAudioFile(join(dir, 'short.aif')), { ok: false });
});
