import test from 'ava';
import { customPresetSchema, nominalBitrateMbps, PRESETS, resolvePreset } from '../src/presets/presets.js';

test('the seed presets', (t) => {
  t.like(PRESETS.web, { width: 1920, height: 1080, codec: 'h264', bitrateMbps: 8, container: 'mp4', fastStart: true });
  t.like(PRESETS.social, { width: 1920, height: 1080, codec: 'h264', bitrateMbps: 12, container: 'mp4' });
  t.like(PRESETS.hq, { width: 3840, height: 2160, codec: 'prores_422', bitrateMbps: null, container: 'mov', audioCodec: 'pcm_s16le' });
});

const valid = [
  { width: 1920, height: 1080, codec: 'h264', container: 'mp4', bitrateMbps: 20 },
  { width: 3840, height: 2160, codec: 'h265', container: 'mov', bitrateMbps: 50 },
  { width: 4096, height: 2160, codec: 'prores_4444', container: 'mov' },
  { width: 1080, height: 1920, codec: 'prores_422_hq', container: 'mov' },
  { width: 1920, height: 1080, codec: 'image_sequence', container: 'frames' },
];
for (const p of valid) {
  test(`custom ${p.codec} ${p.width}×${p.height} in ${p.container} is accepted`, (t) => {
    t.true(customPresetSchema.safeParse(p).success);
  });
}

const invalid: [string, Record<string, unknown>, string][] = [
  ['ProRes in mp4', { width: 1920, height: 1080, codec: 'prores_422', container: 'mp4' }, 'container'],
  ['H.264 without a bitrate', { width: 1920, height: 1080, codec: 'h264', container: 'mp4' }, 'bitrateMbps'],
  ['ProRes with a bitrate', { width: 1920, height: 1080, codec: 'prores_422', container: 'mov', bitrateMbps: 100 }, 'bitrateMbps'],
  ['an image sequence in mov', { width: 1920, height: 1080, codec: 'image_sequence', container: 'mov' }, 'container'],
  ['H.264 in the frames container', { width: 1920, height: 1080, codec: 'h264', container: 'frames', bitrateMbps: 8 }, 'container'],
  ['8K H.264', { width: 7680, height: 4320, codec: 'h264', container: 'mp4', bitrateMbps: 100 }, 'width'],
  ['an odd width', { width: 1919, height: 1080, codec: 'h265', container: 'mp4', bitrateMbps: 8 }, 'width'],
  ['a zero bitrate', { width: 1920, height: 1080, codec: 'h264', container: 'mp4', bitrateMbps: 0 }, 'bitrateMbps'],
  ['an unknown codec', { width: 1920, height: 1080, codec: 'vp9', container: 'mp4', bitrateMbps: 8 }, 'codec'],
  ['an unknown field', { width: 1920, height: 1080, codec: 'h264', container: 'mp4', bitrateMbps: 8, crf: 18 }, ''],
];
for (const [what, p, field] of invalid) {
  test(`custom preset with ${what} is refused, naming ${field || 'the field'}`, (t) => {
    const r = customPresetSchema.safeParse(p);
    t.false(r.success);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      t.is(issue.path.join('.'), field);
      t.true(issue.message.length > 5);
    }
  });
}

test('resolvePreset', (t) => {
  t.is(resolvePreset('web'), PRESETS.web);
  const custom = resolvePreset('custom', { width: 1280, height: 720, codec: 'h264', container: 'mp4', bitrateMbps: 5 });
  t.like(custom, { id: 'custom', width: 1280, bitrateMbps: 5, audioCodec: 'aac', fastStart: true });
  t.is(resolvePreset('custom', { width: 1280, height: 720, codec: 'prores_422', container: 'mov' }).audioCodec, 'pcm_s16le');
  t.throws(() => resolvePreset('custom'), { message: /custom preset needs/ });
  t.throws(() => resolvePreset('web', { width: 1280, height: 720, codec: 'h264', container: 'mp4', bitrateMbps: 5 }), { message: /only for the custom preset/ });
});

test('nominal bitrates: the preset’s, or ProRes scaled by pixels and fps', (t) => {
  t.is(nominalBitrateMbps(PRESETS.web, 60), 8);
  const hq = nominalBitrateMbps(PRESETS.hq, 29.97);
  t.is(Math.round(hq), 147 * 4);
  t.is(Math.round(nominalBitrateMbps(PRESETS.hq, 59.94)), 147 * 8);
});
