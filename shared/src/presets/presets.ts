import { isProRes, type Container, type VideoCodec } from './codecs.js';
import type { CustomPreset } from './custom-preset.js';

export * from './codecs.js';
export * from './custom-preset.js';
export * from './nominal-bitrate.js';
export * from './frame-depth.js';

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
  /** Where the output is meant to go, shown to the user. */
  target: string;
  /** MP4 index at the front, so playback starts before the download ends. */
  fastStart: boolean;
}

export const PRESETS: Readonly<Record<'web' | 'social' | 'hq', RenderPreset>> = {
  web: { id: 'web', name: 'Web', width: 1920, height: 1080, codec: 'h264', bitrateMbps: 8, container: 'mp4', audioCodec: 'aac', target: 'YouTube/Vimeo', fastStart: true },
  social: { id: 'social', name: 'Social', width: 1920, height: 1080, codec: 'h264', bitrateMbps: 12, container: 'mp4', audioCodec: 'aac', target: 'Instagram/TikTok', fastStart: true },
  hq: { id: 'hq', name: 'High Quality', width: 3840, height: 2160, codec: 'prores_422', bitrateMbps: null, container: 'mov', audioCodec: 'pcm_s16le', target: 'Professional', fastStart: false },
};

/** The preset to render with. `custom` must come with the (already validated) custom settings, and only with `custom`. */
export function resolvePreset(id: PresetId, custom?: CustomPreset): RenderPreset {
  if (id === 'custom') {
    if (!custom) throw new Error('The custom preset needs its settings (width, height, codec, container, bitrateMbps); pass them or pick web, social or hq.');
    // ProRes travels with uncompressed PCM as in the hq preset; an image sequence has no audio track.
    const audioCodec = custom.codec === 'image_sequence' ? null : isProRes(custom.codec) ? 'pcm_s16le' : 'aac';
    return { id, name: 'Custom', ...custom, bitrateMbps: custom.bitrateMbps ?? null, audioCodec, target: 'Custom', fastStart: custom.container === 'mp4' };
  }
  if (custom) throw new Error(`Custom settings are only for the custom preset, not "${id}"; drop them or choose the custom preset.`);
  return PRESETS[id];
}
