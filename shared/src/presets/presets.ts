import { z } from 'zod';

export const VideoCodec = {
  h264: 'h264',
  h265: 'h265',
  prores_422: 'prores_422',
  prores_422_hq: 'prores_422_hq',
  prores_4444: 'prores_4444',
  image_sequence: 'image_sequence',
} as const;
export type VideoCodec = (typeof VideoCodec)[keyof typeof VideoCodec];

export const Container = { mp4: 'mp4', mov: 'mov', frames: 'frames' } as const;
export type Container = (typeof Container)[keyof typeof Container];

export const PresetId = { web: 'web', social: 'social', hq: 'hq', custom: 'custom' } as const;
export type PresetId = (typeof PresetId)[keyof typeof PresetId];

export interface RenderPreset {
  id: PresetId;
  name: string;
  width: number;
  height: number;
  codec: VideoCodec;
  /** Target video bitrate; null for ProRes (constant quality) and image sequences. */
  bitrateMbps: number | null;
  container: Container;
  audioCodec: 'aac' | 'pcm_s16le' | null;
  target: string;
  /** MP4 index at the front, so playback starts before the download ends. */
  fastStart: boolean;
}

/** The seed's presets. */
export const PRESETS: Readonly<Record<'web' | 'social' | 'hq', RenderPreset>> = {
  web: { id: 'web', name: 'Web', width: 1920, height: 1080, codec: 'h264', bitrateMbps: 8, container: 'mp4', audioCodec: 'aac', target: 'YouTube/Vimeo', fastStart: true },
  social: { id: 'social', name: 'Social', width: 1920, height: 1080, codec: 'h264', bitrateMbps: 12, container: 'mp4', audioCodec: 'aac', target: 'Instagram/TikTok', fastStart: true },
  hq: { id: 'hq', name: 'High Quality', width: 3840, height: 2160, codec: 'prores_422', bitrateMbps: null, container: 'mov', audioCodec: 'pcm_s16le', target: 'Professional', fastStart: false },
};

const PRORES: readonly VideoCodec[] = ['prores_422', 'prores_422_hq', 'prores_4444'];
const BITRATE_CODECS: readonly VideoCodec[] = ['h264', 'h265'];
/** H.264 level 5.2's frame-size limit (4096×2304 luma samples). */
const H264_MAX_PIXELS = 4096 * 2304;

const dimension = z.number().int().min(16).max(8192).refine((n) => n % 2 === 0, 'must be even (4:2:0 and 4:2:2 chroma need it)');

export const customPresetSchema = z
  .object({
    width: dimension,
    height: dimension,
    codec: z.enum(Object.values(VideoCodec) as [VideoCodec, ...VideoCodec[]]),
    bitrateMbps: z.number().gt(0).max(1000).optional(),
    container: z.enum(Object.values(Container) as [Container, ...Container[]]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (PRORES.includes(p.codec) && p.container !== 'mov') issue('container', `${p.codec} goes in a QuickTime .mov, not ${p.container}`);
    if (BITRATE_CODECS.includes(p.codec)) {
      if (p.container !== 'mp4' && p.container !== 'mov') issue('container', `${p.codec} goes in mp4 or mov, not ${p.container}`);
      if (p.bitrateMbps === undefined) issue('bitrateMbps', `${p.codec} needs a bitrate in Mbps`);
    } else if (p.bitrateMbps !== undefined) {
      issue('bitrateMbps', `${p.codec} takes no bitrate`);
    }
    if (p.codec === 'image_sequence' && p.container !== 'frames') issue('container', 'an image sequence is delivered as frames');
    if (p.container === 'frames' && p.codec !== 'image_sequence') issue('codec', 'the frames container holds only an image sequence');
    if (p.codec === 'h264' && p.width * p.height > H264_MAX_PIXELS) issue('width', `H.264 stops at ${H264_MAX_PIXELS} pixels a frame (4096×2304); use h265 or ProRes`);
  })
  .meta({ id: 'CustomPreset' });
export type CustomPreset = z.infer<typeof customPresetSchema>;

export function resolvePreset(id: PresetId, custom?: CustomPreset): RenderPreset {
  if (id === 'custom') {
    if (!custom) throw new Error('The custom preset needs its settings (width, height, codec, container, bitrate).');
    const audioCodec = custom.codec === 'image_sequence' ? null : PRORES.includes(custom.codec) ? 'pcm_s16le' : 'aac';
    return { id, name: 'Custom', ...custom, bitrateMbps: custom.bitrateMbps ?? null, audioCodec, target: 'Custom', fastStart: custom.container === 'mp4' };
  }
  if (custom) throw new Error(`Custom settings are only for the custom preset, not "${id}".`);
  return PRESETS[id];
}

/** Apple's published ProRes rates at 1920×1080, 29.97 fps. */
const PRORES_1080P30_MBPS: Partial<Record<VideoCodec, number>> = { prores_422: 147, prores_422_hq: 220, prores_4444: 330 };

/** Nominal delivered bitrate, for transfer estimates: the preset's, or ProRes scaled by pixels and fps. */
export function nominalBitrateMbps(preset: RenderPreset, fps: number): number {
  if (preset.bitrateMbps !== null) return preset.bitrateMbps;
  const scale = ((preset.width * preset.height) / (1920 * 1080)) * (fps / 29.97);
  const base = preset.codec === 'image_sequence' ? PRORES_1080P30_MBPS.prores_4444! * 2 : (PRORES_1080P30_MBPS[preset.codec] ?? PRORES_1080P30_MBPS.prores_422!);
  return base * scale;
}
