import test from 'ava';
import { customPresetSchema, nominalBitrateMbps, PRESETS, resolvePreset, type CustomPreset } from '../src/presets/presets.js';

test('the seed presets', (t) => {
  t.deepEqual(PRESETS.web, {
    id: 'web', name: 'Web', width: 1920, height: 1080, codec: 'h264', bitrateMbps: 8, container: 'mp4', audioCodec: 'aac', target: 'YouTube/Vimeo', fastStart: true,
  });
  t.deepEqual(PRESETS.social, {
    id: 'social', name: 'Social', width: 1920, height: 1080, codec: 'h264', bitrateMbps: 12, container: 'mp4', audioCodec: 'aac', target: 'Instagram/TikTok', fastStart: true,
  });
  t.deepEqual(PRESETS.hq, {
    id: 'hq', name: 'High Quality', width: 3840, height: 2160, codec: 'prores_422', bitrateMbps: null, container: 'mov', audioCodec: 'pcm_s16le', target: 'Professional', fastStart: false,
  });
});

const valid: CustomPreset[] = [
  { width: 1920, height: 1080, codec: 'h264', container: 'mp4', bitrateMbps: 20 },
  { width: 1920, height: 1080, codec: 'h264', container: 'mov', bitrateMbps: 1000 },
  { width: 4096, height: 2304, codec: 'h264', container: 'mp4', bitrateMbps: 80 },
  { width: 3840, height: 2160, codec: 'h265', container: 'mov', bitrateMbps: 50 },
  { width: 8192, height: 4320, codec: 'h265', container: 'mp4', bitrateMbps: 0.5 },
  { width: 4096, height: 2160, codec: 'prores_4444', container: 'mov' },
  { width: 1080, height: 1920, codec: 'prores_422_hq', container: 'mov' },
  { width: 16, height: 16, codec: 'prores_422', container: 'mov' },
  { width: 1920, height: 1080, codec: 'image_sequence', container: 'frames' },
];
for (const p of valid) {
  test(`custom ${p.codec} ${p.width}×${p.height} in ${p.container} is accepted`, (t) => {
    const r = customPresetSchema.safeParse(p);
    t.true(r.success, JSON.stringify(r.error?.issues));
    t.deepEqual(r.data, p);
  });
}

const base = { width: 1920, height: 1080, codec: 'h264', container: 'mp4', bitrateMbps: 8 };
// [what, input, the field the first issue points at and its message names]
const invalid: [string, Record<string, unknown>, string][] = [
  ['ProRes in mp4', { width: 1920, height: 1080, codec: 'prores_422', container: 'mp4' }, 'container'],
  ['ProRes in frames', { width: 1920, height: 1080, codec: 'prores_4444', container: 'frames' }, 'container'],
  ['H.264 without a bitrate', { width: 1920, height: 1080, codec: 'h264', container: 'mp4' }, 'bitrateMbps'],
  ['H.265 without a bitrate', { width: 1920, height: 1080, codec: 'h265', container: 'mov' }, 'bitrateMbps'],
  ['ProRes with a bitrate', { width: 1920, height: 1080, codec: 'prores_422', container: 'mov', bitrateMbps: 100 }, 'bitrateMbps'],
  ['an image sequence with a bitrate', { width: 1920, height: 1080, codec: 'image_sequence', container: 'frames', bitrateMbps: 100 }, 'bitrateMbps'],
  ['an image sequence in mov', { width: 1920, height: 1080, codec: 'image_sequence', container: 'mov' }, 'container'],
  ['H.264 in the frames container', { ...base, container: 'frames' }, 'container'],
  ['H.264 one row past 4096×2304', { ...base, width: 4096, height: 2306 }, 'width'],
  ['8K H.264', { ...base, width: 7680, height: 4320 }, 'width'],
  ['an odd width', { ...base, codec: 'h265', width: 1919 }, 'width'],
  ['an odd height', { ...base, height: 1081 }, 'height'],
  ['a fractional width', { ...base, width: 1920.5 }, 'width'],
  ['a width as a string', { ...base, width: '1920' }, 'width'],
  ['a width under 16', { ...base, width: 14 }, 'width'],
  ['a height over 8192', { ...base, codec: 'h265', height: 8194 }, 'height'],
  ['a zero bitrate', { ...base, bitrateMbps: 0 }, 'bitrateMbps'],
  ['a bitrate over 1000', { ...base, bitrateMbps: 1001 }, 'bitrateMbps'],
  ['an unknown codec', { ...base, codec: 'vp9' }, 'codec'],
  ['no container', { width: 1920, height: 1080, codec: 'h264', bitrateMbps: 8 }, 'container'],
  ['an unknown container', { ...base, container: 'mkv' }, 'container'],
];
for (const [what, p, field] of invalid) {
  test(`custom preset with ${what} is refused, naming ${field}`, (t) => {
    const r = customPresetSchema.safeParse(p);
    t.false(r.success);
    const issue = r.error?.issues[0];
    t.is(issue?.path.join('.'), field);
    t.true(issue?.message.includes(field), issue?.message);
  });
}

test('an unknown field is refused by name', (t) => {
  const r = customPresetSchema.safeParse({ ...base, crf: 18 });
  t.false(r.success);
  t.is(r.error?.issues.length, 1);
  t.regex(r.error?.issues[0]?.message ?? '', /crf/);
});

test('a combination that breaks two rules reports both fields', (t) => {
  const r = customPresetSchema.safeParse({ width: 1920, height: 1080, codec: 'prores_422', container: 'frames' });
  t.deepEqual(r.error?.issues.map((i) => i.path.join('.')), ['container', 'codec']);
});

test('resolvePreset', (t) => {
  t.is(resolvePreset('web'), PRESETS.web);
  t.is(resolvePreset('social'), PRESETS.social);
  t.is(resolvePreset('hq'), PRESETS.hq);
  t.deepEqual(resolvePreset('custom', { width: 1280, height: 720, codec: 'h264', container: 'mp4', bitrateMbps: 5 }), {
    id: 'custom', name: 'Custom', width: 1280, height: 720, codec: 'h264', bitrateMbps: 5, container: 'mp4', audioCodec: 'aac', target: 'Custom', fastStart: true,
  });
  t.like(resolvePreset('custom', { width: 1280, height: 720, codec: 'h265', container: 'mov', bitrateMbps: 5 }), { audioCodec: 'aac', fastStart: false });
  t.like(resolvePreset('custom', { width: 1280, height: 720, codec: 'prores_422', container: 'mov' }), { audioCodec: 'pcm_s16le', bitrateMbps: null });
  t.like(resolvePreset('custom', { width: 1280, height: 720, codec: 'image_sequence', container: 'frames' }), { audioCodec: null, bitrateMbps: null, fastStart: false });
  t.throws(() => resolvePreset('custom'), { message: /custom preset needs its settings/ });
  t.throws(() => resolvePreset('web', { width: 1280, height: 720, codec: 'h264', container: 'mp4', bitrateMbps: 5 }), { message: /only for the custom preset, not "web"/ });
});

test('nominal bitrates: the preset’s own, or ProRes scaled by pixels and fps', (t) => {
  t.is(nominalBitrateMbps(PRESETS.web, 60), 8);
  t.is(nominalBitrateMbps(PRESETS.social, 24), 12);
  const at1080p30 = (codec: 'prores_422' | 'prores_422_hq' | 'prores_4444' | 'image_sequence') =>
    nominalBitrateMbps(resolvePreset('custom', { width: 1920, height: 1080, codec, container: codec === 'image_sequence' ? 'frames' : 'mov' }), 29.97);
  t.is(at1080p30('prores_422'), 147);
  t.is(at1080p30('prores_422_hq'), 220);
  t.is(at1080p30('prores_4444'), 330);
  t.is(at1080p30('image_sequence'), 660);
  t.is(Math.round(nominalBitrateMbps(PRESETS.hq, 29.97)), 147 * 4, 'UHD is four times the pixels');
  t.is(Math.round(nominalBitrateMbps(PRESETS.hq, 59.94)), 147 * 8, 'and twice the frames');
  t.true(Math.abs(nominalBitrateMbps(PRESETS.hq, 25) - (147 * 4 * 25) / 29.97) < 1e-9);
  t.throws(() => nominalBitrateMbps(PRESETS.hq, 0), { instanceOf: RangeError, message: /fps/ });
});
