import { FFMPEG_ENCODERS, isProRes, type RenderPreset, type VideoCodec } from '@cloudexport/shared';

/** A frame rate as ffmpeg wants it: `30000/1001`, never the rounded 29.97. */
export interface Rational {
  num: number;
  den: number;
}

export interface FrameSequenceInput {
  /** ffmpeg printf-style path of the numbered images, e.g. `/w/frames/frame_%05d.png`; see ffmpegSequencePattern. */
  pattern: string;
  /** Number of the first frame file. */
  startNumber: number;
  /** Frames in the deliverable: startNumber … startNumber + frameCount - 1. */
  frameCount: number;
}

export interface CompFormat {
  width: number;
  height: number;
  /** The comp's frame rate: AE's number (29.97, 29.97002997…) or an exact rational. */
  fps: number | Rational;
  /** Width of a comp pixel over its height (10/11 for D1 NTSC); default 1. */
  pixelAspect?: number;
}

export interface AudioInput {
  /** The comp's rendered sound (a WAV or AIFF from aerender), starting at the first frame. */
  path: string;
  /** PCM sample format for ProRes deliverables; default the preset's (s16le). */
  pcm?: 's16le' | 's24le';
}

export interface EncodeInput {
  preset: RenderPreset;
  comp: CompFormat;
  frames: FrameSequenceInput;
  outputPath: string;
  audio?: AudioInput | null;
  /** Encoders this ffmpeg has (FfmpegInfo.encoders); when given, a missing one fails here, not mid-encode. */
  encoders?: readonly string[];
  /** x264/x265 speed preset; default DEFAULT_SPEED (`medium`). Faster ones still land on the bitrate. */
  speed?: string;
}

/** What the deliverable must look like; verifyDeliverable checks a file against it. */
export interface DeliverableExpectation {
  /** ffprobe's codec_name: `h264`, `hevc`, `prores`. */
  videoCodec: string;
  /** ffprobe's profile for ProRes: `Standard`, `HQ`, `4444`. */
  profile: string | null;
  width: number;
  height: number;
  frameCount: number;
  fps: Rational;
  durationSeconds: number;
  /** Average video bitrate to land on (within 10 %: both H.264 and H.265 are CBR with filler); null for ProRes. */
  bitrateMbps: number | null;
  /** ffprobe's codec_name of the audio track, or null when there must be none. */
  audioCodec: string | null;
}

export interface EncodePlan {
  /** Arguments after the runner's own (`-hide_banner -nostdin -progress …`), output path last. */
  args: string[];
  expected: DeliverableExpectation;
}

/** Constant bitrate in kbit/s: the target, and the decoder buffer it is held to. */
interface RatePlan {
  kbps: number;
  bufferKbits: number;
}

/** How each codec is encoded; the encoder itself is shared's FFMPEG_ENCODERS (what the scheduler matches nodes on). */
interface VideoCodecSpec {
  probeName: string;
  pixFmt: string;
  profile: string | null;
  args: (speed: string, rate: RatePlan | null) => string[];
}

/**
 * Constant bitrate with filler, so the average lands on the target (±10 %, what the verification
 * checks) whatever the picture: in plain VBR a flat or simple picture (a test pattern, a title on
 * black) cannot spend 8 Mbps and falls far short. ffmpeg's MP4 and MOV muxers keep the filler.
 *   x264: nal-hrd=cbr with bitrate = minrate = maxrate writes filler NAL units (type 12).
 *   x265: there is no nal-hrd=cbr; strict-cbr with bitrate = vbv-maxrate writes filler NAL units
 *         (type 38) when a frame comes in under its share. The x265 docs only call strict-cbr
 *         "experimental" and say nothing of filler; checked in x265 3.5 by reading the NAL types of
 *         an encode of a flat picture, which lands ~3 % under the target.
 * Both start the buffer 90 % full; see bufferSeconds for why that keeps the average on target.
 */
function cbrArgs(rate: RatePlan): string[] {
  const kbps = `${rate.kbps}k`;
  return ['-b:v', kbps, '-minrate', kbps, '-maxrate', kbps, '-bufsize', `${rate.bufferKbits}k`];
}

const VIDEO: Readonly<Record<Exclude<VideoCodec, 'image_sequence'>, VideoCodecSpec>> = {
  // 8-bit 4:2:0 High profile: what every browser, phone and upload site plays.
  h264: {
    probeName: 'h264', pixFmt: 'yuv420p', profile: null,
    args: (speed, rate) => ['-preset', speed, '-profile:v', 'high', ...(rate
      ? [...cbrArgs(rate), '-rc_init_occupancy', `${Math.round(rate.bufferKbits * INITIAL_BUFFER_FILL)}k`, '-x264-params', 'nal-hrd=cbr']
      : [])],
  },
  // hvc1 tag: QuickTime and Apple devices refuse HEVC tagged hev1.
  h265: {
    probeName: 'hevc', pixFmt: 'yuv420p', profile: null,
    args: (speed, rate) => ['-preset', speed, '-tag:v', 'hvc1', ...(rate
      ? [...cbrArgs(rate), '-x265-params', `log-level=error:strict-cbr=1:vbv-init=${INITIAL_BUFFER_FILL}`]
      : ['-x265-params', 'log-level=error'])],
  },
  // prores_ks profiles: 2 = 422, 3 = 422 HQ, 4 = 4444; vendor apl0 so Apple's decoders take it as their own.
  prores_422: { probeName: 'prores', pixFmt: 'yuv422p10le', profile: 'Standard', args: () => ['-profile:v', '2', '-vendor', 'apl0'] },
  prores_422_hq: { probeName: 'prores', pixFmt: 'yuv422p10le', profile: 'HQ', args: () => ['-profile:v', '3', '-vendor', 'apl0'] },
  prores_4444: { probeName: 'prores', pixFmt: 'yuva444p10le', profile: '4444', args: () => ['-profile:v', '4', '-vendor', 'apl0', '-alpha_bits', '16'] },
};

/** The x264/x265 speed preset deliverables are encoded with. */
export const DEFAULT_SPEED = 'medium';
const AAC_BITRATE = '320k';
/** Decoder buffer of a long clip, in seconds of the target: the usual 1 s of streaming CBR. */
const MAX_BUFFER_SECONDS = 1;
/** A short clip's buffer is at most this share of its duration (see bufferSeconds). */
const BUFFER_SHARE_OF_CLIP = 1 / 8;
/** How full the decoder buffer starts (x264's and x265's own default, stated). */
const INITIAL_BUFFER_FILL = 0.9;

/**
 * The CBR buffer for a clip. The average misses the target by (initial − final buffer fill) over
 * the clip, since the encoder may spend what the buffer held at the start and leave it fuller or
 * emptier at the end. Measured on 1.6–2 s of 1080p at 8–12 Mbps starting 90 % full: a flat
 * picture ends full (−0.1 buffer), a noisy one 60–80 % full (+0.1–0.3 buffer; x264 ultrafast
 * drains it most). A buffer of at most an eighth of the clip keeps that within −1.25 % and
 * +4 %, well inside the ±10 % the verification allows; 1 s caps it for long clips, and two
 * frames is the least an encoder can work with.
 */
export function bufferSeconds(durationSeconds: number, fps: Rational): number {
  return Math.max((2 * fps.den) / fps.num, Math.min(MAX_BUFFER_SECONDS, durationSeconds * BUFFER_SHARE_OF_CLIP));
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/**
 * The exact rate behind AE's number: whole rates, the NTSC family (N×1000/1001: 23.976,
 * 29.97, 59.94…), else the nearest fraction with a denominator up to 1001.
 */
export function fpsRational(fps: number | Rational): Rational {
  if (typeof fps !== 'number') {
    if (!(Number.isInteger(fps.num) && Number.isInteger(fps.den) && fps.num > 0 && fps.den > 0)) {
      throw new RangeError(`The frame rate ${fps.num}/${fps.den} is not a positive fraction of whole numbers.`);
    }
    const g = greatestCommonDivisor(fps.num, fps.den);
    return { num: fps.num / g, den: fps.den / g };
  }
  if (!(Number.isFinite(fps) && fps > 0 && fps <= 1000)) throw new RangeError(`The comp frame rate must be between 0 and 1000 fps, not ${fps}.`);
  const whole = Math.round(fps);
  if (whole > 0 && Math.abs(fps - whole) < 1e-3) return { num: whole, den: 1 };
  const ntsc = Math.round(fps * 1.001);
  // AE stores 29.97 as a float near 30000/1001; the tolerance takes both 29.97 and 29.97003.
  if (ntsc > 0 && Math.abs(fps - (ntsc * 1000) / 1001) < 1e-3) return { num: ntsc * 1000, den: 1001 };
  let best: Rational = { num: whole, den: 1 };
  for (let den = 2; den <= 1001; den += 1) {
    const num = Math.round(fps * den);
    if (Math.abs(fps - num / den) < Math.abs(fps - best.num / best.den) - 1e-12) best = { num, den };
    if (Math.abs(fps - num / den) < 1e-9) break;
  }
  return fpsRational(best);
}

/** `frame_[#####].png` (aerender's token) → `frame_%05d.png`, with any literal `%` doubled. */
export function ffmpegSequencePattern(aePattern: string): string {
  const token = /\[(#+)\]/.exec(aePattern);
  if (!token?.[1]) throw new Error(`Frame pattern "${aePattern}" has no [###] frame-number token; assembly needs a numbered image sequence.`);
  const [before, after] = [aePattern.slice(0, token.index), aePattern.slice(token.index + token[0].length)];
  const escape = (s: string) => s.replaceAll('%', '%%');
  return `${escape(before)}%0${token[1].length}d${escape(after)}`;
}

/**
 * Fit the comp inside the deliverable without distortion: scale down or up to fit, centre,
 * pad the rest (black; transparent for 4444). Even scaled sizes keep 4:2:0/4:2:2 chroma whole.
 * The one scale converts straight from the frames' format (rgba64le for 16-bit TIFF) to the
 * encoder's, so 16-bit frames reach 10-bit ProRes with no 8-bit step between.
 */
function videoFilter(width: number, height: number, pixFmt: string, frameCount: number, pixelAspect: number): string {
  const alpha = pixFmt.startsWith('yuva');
  return [
    // exactly the range, even when the folder holds later frames. A filter, not -frames:v: when
    // one stream reaches -frames, ffmpeg closes the whole output and cuts the sound short
    `trim=end_frame=${frameCount}`,
    // non-square comp pixels become square first, so the fit below keeps the picture's shape
    ...(Math.abs(pixelAspect - 1) > 1e-6 ? [`scale=trunc(iw*${pixelAspect.toFixed(6)}/2)*2:ih:flags=lanczos`] : []),
    `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=lanczos:out_color_matrix=bt709:out_range=tv`,
    `format=${pixFmt}`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=${alpha ? 'black@0' : 'black'}`,
    'setsar=1',
  ].join(',');
}

/** The ffmpeg arguments that encode a numbered image sequence into the preset's deliverable. */
export function encodeArguments(input: EncodeInput): EncodePlan {
  const { preset, comp, frames, audio } = input;
  if (preset.codec === 'image_sequence' || preset.container === 'frames') {
    throw new Error(`Preset "${preset.name}" delivers the frames themselves (image_sequence); there is no movie to encode. Package the frames instead.`);
  }
  const spec = VIDEO[preset.codec];
  const encoder = FFMPEG_ENCODERS[preset.codec]!;
  if (input.encoders && !input.encoders.includes(encoder)) {
    throw new Error(`This node's ffmpeg has no ${encoder} encoder, needed for ${preset.codec} (preset "${preset.name}"). Install an ffmpeg build with ${encoder} or pick another codec.`);
  }
  if (!(Number.isInteger(frames.frameCount) && frames.frameCount > 0)) throw new RangeError(`The deliverable needs at least one frame, not ${frames.frameCount}.`);
  if (!(Number.isInteger(frames.startNumber) && frames.startNumber >= 0)) throw new RangeError(`The first frame number must be a whole number ≥ 0, not ${frames.startNumber}.`);
  if (!(comp.width > 0 && comp.height > 0)) throw new RangeError(`The comp size must be positive, not ${comp.width}×${comp.height}.`);
  if (preset.width % 2 !== 0 || preset.height % 2 !== 0) throw new RangeError(`The deliverable size ${preset.width}×${preset.height} must be even.`);
  const bitrate = isProRes(preset.codec) ? null : preset.bitrateMbps;
  if (!isProRes(preset.codec) && bitrate === null) throw new Error(`Preset "${preset.name}" uses ${preset.codec} but has no bitrateMbps; give it one.`);

  const fps = fpsRational(comp.fps);
  const rate = `${fps.num}/${fps.den}`;
  const durationSeconds = (frames.frameCount * fps.den) / fps.num;
  const speed = input.speed ?? DEFAULT_SPEED;

  const args = ['-f', 'image2', '-framerate', rate, '-start_number', String(frames.startNumber), '-i', frames.pattern];
  if (audio) args.push('-i', audio.path);
  args.push('-map', '0:v:0');
  if (audio) args.push('-map', '1:a:0');
  args.push('-map_metadata', '-1');

  args.push('-vf', videoFilter(preset.width, preset.height, spec.pixFmt, frames.frameCount, comp.pixelAspect ?? 1));
  const cbr: RatePlan | null = bitrate === null ? null : { kbps: Math.round(bitrate * 1000), bufferKbits: Math.max(1, Math.round(bitrate * 1000 * bufferSeconds(durationSeconds, fps))) };
  args.push('-c:v', encoder, ...spec.args(speed, cbr), '-pix_fmt', spec.pixFmt);
  args.push('-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv');
  // constant frame rate out
  args.push('-fps_mode', 'cfr', '-r', rate);
  // A keyframe every 2 s: seekable in a browser without costing much of the bitrate.
  if (cbr) args.push('-g', String(Math.max(1, Math.round((2 * fps.num) / fps.den))));

  let audioCodec: string | null = null;
  if (audio) {
    // Pad short sound with silence and trim long sound to the picture: the sound lasts exactly as
    // long as the frames (-shortest would end the output on the video's last packet, however
    // far behind the sound's encoder is).
    const seconds = durationSeconds.toFixed(6);
    args.push('-af', `apad=whole_dur=${seconds},atrim=end=${seconds}`);
    if (isProRes(preset.codec)) {
      audioCodec = `pcm_${audio.pcm ?? 's16le'}`;
      args.push('-c:a', audioCodec);
    } else {
      audioCodec = 'aac';
      args.push('-c:a', 'aac', '-b:a', AAC_BITRATE);
    }
  }

  if (preset.container === 'mp4' && preset.fastStart) args.push('-movflags', '+faststart');
  args.push('-f', preset.container, '-y', input.outputPath);

  return {
    args,
    expected: {
      videoCodec: spec.probeName,
      profile: spec.profile,
      width: preset.width,
      height: preset.height,
      frameCount: frames.frameCount,
      fps,
      durationSeconds,
      bitrateMbps: bitrate,
      audioCodec,
    },
  };
}
