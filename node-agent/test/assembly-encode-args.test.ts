import test from 'ava';
import { PRESETS, resolvePreset } from '@cloudexport/shared';
import { bufferSeconds, encodeArguments, ffmpegSequencePattern, fpsRational, type EncodeInput } from '../src/assembly/encode-args.js';
import { compareWithExpectation, ffprobeBesideFfmpeg, type ProbeSummary } from '../src/assembly/verify-deliverable.js';

const frames = { pattern: '/w/frames/frame_%05d.png', startNumber: 100, frameCount: 240 };
const plan = (over: Partial<EncodeInput> = {}) =>
  encodeArguments({ preset: PRESETS.web, comp: { width: 1920, height: 1080, fps: 29.97 }, frames, outputPath: '/w/out.mp4', ...over });
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

test('frame rates become exact rationals', (t) => {
  t.deepEqual(fpsRational(29.97), { num: 30000, den: 1001 });
  t.deepEqual(fpsRational(29.970029970029), { num: 30000, den: 1001 });
  t.deepEqual(fpsRational(23.976), { num: 24000, den: 1001 });
  t.deepEqual(fpsRational(59.94), { num: 60000, den: 1001 });
  t.deepEqual(fpsRational(25), { num: 25, den: 1 });
  t.deepEqual(fpsRational(12.5), { num: 25, den: 2 });
  t.deepEqual(fpsRational({ num: 60, den: 2 }), { num: 30, den: 1 });
  t.throws(() => fpsRational(0), { message: /between 0 and 1000/ });
});

test('29.97 fps is passed to ffmpeg as 30000/1001 on input and output, and the duration follows', (t) => {
  const { args, expected } = plan();
  t.is(after(args, '-framerate'), '30000/1001');
  t.is(after(args, '-r'), '30000/1001');
  t.is(after(args, '-start_number'), '100');
  t.regex(after(args, '-vf') ?? '', /^trim=end_frame=240,/, 'exactly the range, by a filter that leaves the sound alone');
  t.false(args.includes('-frames:v'));
  t.is(expected.durationSeconds, (240 * 1001) / 30000);
});

test('non-square comp pixels (D1 NTSC, 10/11) are made square before the fit', (t) => {
  const vf = after(plan({ comp: { width: 720, height: 486, fps: 29.97, pixelAspect: 10 / 11 } }).args, '-vf') ?? '';
  t.regex(vf, /^trim=end_frame=240,scale=trunc\(iw\*0\.909091\/2\)\*2:ih:flags=lanczos,scale=1920:1080:force_original_aspect_ratio=decrease/);
  t.notRegex(after(plan().args, '-vf') ?? '', /trunc\(iw/, 'square pixels are left alone');
});

test('a 4:3 comp is fitted into 1920×1080 and padded, not stretched', (t) => {
  const { args, expected } = plan({ comp: { width: 1440, height: 1080, fps: 25 } });
  const vf = after(args, '-vf') ?? '';
  t.regex(vf, /^trim=end_frame=240,scale=1920:1080:force_original_aspect_ratio=decrease/);
  t.regex(vf, /pad=1920:1080:\(ow-iw\)\/2:\(oh-ih\)\/2:color=black,setsar=1$/);
  t.is(expected.width, 1920);
  t.is(expected.height, 1080);
});

test('web is H.264 yuv420p at a constant 8 Mbps with filler in a fast-start MP4; social at 12 Mbps', (t) => {
  const { args, expected } = plan();
  t.is(after(args, '-c:v'), 'libx264');
  t.is(after(args, '-pix_fmt'), 'yuv420p');
  t.is(after(args, '-b:v'), '8000k');
  t.is(after(args, '-minrate'), '8000k');
  t.is(after(args, '-maxrate'), '8000k');
  // 8 s clip: a 1 s buffer, starting 90 % full.
  t.is(after(args, '-bufsize'), '8000k');
  t.is(after(args, '-rc_init_occupancy'), '7200k');
  t.is(after(args, '-x264-params'), 'nal-hrd=cbr');
  t.is(after(args, '-movflags'), '+faststart');
  t.is(after(args, '-f'), 'image2');
  t.is(args.at(-3), 'mp4');
  t.is(args.at(-1), '/w/out.mp4');
  t.is(expected.bitrateMbps, 8);
  t.is(after(plan({ preset: PRESETS.social }).args, '-b:v'), '12000k');
});

test('ProRes gets its profile and 10-bit pixel format, no bitrate; 4444 keeps alpha and pads transparent', (t) => {
  const hq = encodeArguments({ preset: PRESETS.hq, comp: { width: 1920, height: 1080, fps: 24 }, frames, outputPath: '/w/out.mov' });
  t.is(after(hq.args, '-c:v'), 'prores_ks');
  t.is(after(hq.args, '-profile:v'), '2');
  t.is(after(hq.args, '-pix_fmt'), 'yuv422p10le');
  t.false(hq.args.includes('-b:v'));
  t.false(hq.args.includes('-movflags'));
  t.deepEqual([hq.expected.width, hq.expected.height, hq.expected.profile, hq.expected.bitrateMbps], [3840, 2160, 'Standard', null]);
  const p4444 = encodeArguments({ preset: resolvePreset('custom', { width: 1280, height: 720, codec: 'prores_4444', container: 'mov' }), comp: { width: 1920, height: 1080, fps: 24 }, frames, outputPath: '/w/out.mov' });
  t.is(after(p4444.args, '-profile:v'), '4');
  t.is(after(p4444.args, '-pix_fmt'), 'yuva444p10le');
  t.regex(after(p4444.args, '-vf') ?? '', /format=yuva444p10le,pad=.*color=black@0/);
  const p422hq = encodeArguments({ preset: resolvePreset('custom', { width: 1280, height: 720, codec: 'prores_422_hq', container: 'mov' }), comp: { width: 1920, height: 1080, fps: 24 }, frames, outputPath: '/w/out.mov' });
  t.is(after(p422hq.args, '-profile:v'), '3');
  t.is(p422hq.expected.profile, 'HQ');
});

test('audio: AAC for H.264/H.265, PCM for ProRes, padded and trimmed to the picture', (t) => {
  const web = plan({ audio: { path: '/w/sound.wav' } });
  t.deepEqual(web.args.slice(web.args.indexOf('-map'), web.args.indexOf('-map') + 4), ['-map', '0:v:0', '-map', '1:a:0']);
  t.is(after(web.args, '-c:a'), 'aac');
  t.false(web.args.includes('-shortest'), 'apad + atrim make the sound the picture’s length; -shortest would cut it');
  t.regex(after(web.args, '-af') ?? '', /^apad=whole_dur=8\.008000,atrim=end=8\.008000$/);
  t.is(web.expected.audioCodec, 'aac');
  const hq = encodeArguments({ preset: PRESETS.hq, comp: { width: 1920, height: 1080, fps: 24 }, frames, outputPath: '/w/o.mov', audio: { path: '/w/s.wav', pcm: 's24le' } });
  t.is(after(hq.args, '-c:a'), 'pcm_s24le');
  t.is(plan().expected.audioCodec, null);
});

test('H.265 needs libx265 when the encoder list is known; image sequences are not encoded', (t) => {
  const h265 = resolvePreset('custom', { width: 1280, height: 720, codec: 'h265', bitrateMbps: 5, container: 'mp4' });
  t.throws(() => plan({ preset: h265, encoders: ['libx264', 'prores_ks'] }), { message: /no libx265 encoder, needed for h265/ });
  const ok = plan({ preset: h265, encoders: ['libx264', 'libx265'] });
  t.is(after(ok.args, '-c:v'), 'libx265');
  t.is(after(ok.args, '-tag:v'), 'hvc1');
  t.is(ok.expected.videoCodec, 'hevc');
  // x265 has no nal-hrd=cbr: strict-cbr at bitrate = maxrate is what writes its filler.
  t.deepEqual([after(ok.args, '-b:v'), after(ok.args, '-maxrate'), after(ok.args, '-bufsize')], ['5000k', '5000k', '5000k']);
  t.is(after(ok.args, '-x265-params'), 'log-level=error:strict-cbr=1:vbv-init=0.9');
  t.is(ok.expected.bitrateMbps, 5);
  // the encoder the scheduler matched the node on is the one the encode uses
  t.is(after(ok.args, '-c:v'), 'libx265');
  t.is(after(plan({ preset: resolvePreset('custom', { width: 1920, height: 1080, codec: 'prores_4444', container: 'mov' }) }).args, '-c:v'), 'prores_ks');
  const seq = resolvePreset('custom', { width: 1280, height: 720, codec: 'image_sequence', container: 'frames' });
  t.throws(() => plan({ preset: seq }), { message: /delivers the frames themselves/ });
});

test('the CBR buffer is an eighth of a short clip, 1 s of a long one, never under two frames', (t) => {
  const at25 = { num: 25, den: 1 };
  t.is(bufferSeconds(2, at25), 0.25);
  t.is(bufferSeconds(8, at25), 1);
  t.is(bufferSeconds(600, at25), 1);
  t.is(bufferSeconds(0.2, at25), 0.08);
  // 2 s at 8 Mbps: a 2000 kbit buffer.
  const short = plan({ frames: { ...frames, frameCount: 60 }, comp: { width: 1920, height: 1080, fps: 30 } });
  t.is(after(short.args, '-bufsize'), '2000k');
  t.is(after(short.args, '-rc_init_occupancy'), '1800k');
});

test('aerender sequence patterns become ffmpeg patterns', (t) => {
  t.is(ffmpegSequencePattern('/w/100%/frame_[#####].png'), '/w/100%%/frame_%05d.png');
  t.throws(() => ffmpegSequencePattern('/w/frame.png'), { message: /no \[###\] frame-number token/ });
  t.is(ffprobeBesideFfmpeg('/usr/bin/ffmpeg'), '/usr/bin/ffprobe');
  t.is(ffprobeBesideFfmpeg('C:\\ff\\bin\\ffmpeg.exe'), 'C:\\ff\\bin\\ffprobe.exe');
});

test('the comparison names each mismatch', (t) => {
  const { expected } = plan();
  const good: ProbeSummary = { videoCodec: 'h264', profile: 'High', width: 1920, height: 1080, frameCount: 240, frameRate: '30000/1001', durationSeconds: 8.008, videoBitrateMbps: 7.6, audioCodec: null, audioDurationSeconds: null };
  t.deepEqual(compareWithExpectation(good, expected), []);
  t.deepEqual(compareWithExpectation({ ...good, frameCount: 238, durationSeconds: 7.941, videoBitrateMbps: 9.5, frameRate: '30/1' }, expected), [
    'frame rate 30/1, expected 30000/1001',
    'frame count 238, expected 240',
    'duration 7.941 s, expected 8.008 s',
    'average video bitrate 9.5 Mbps, expected 8 Mbps ± 10 %',
  ]);
  t.deepEqual(compareWithExpectation(good, { ...expected, audioCodec: 'aac' }), ['no audio stream, expected aac']);
});
