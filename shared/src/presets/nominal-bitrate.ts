import type { VideoCodec } from './codecs.js';
import type { RenderPreset } from './presets.js';

/**
 * Delivered rate at 1920×1080, 29.97 fps for the codecs without a target bitrate: Apple's
 * published ProRes rates; an image sequence (lossless frames, often with alpha) is taken as
 * twice ProRes 4444.
 */
const RATE_1080P30_MBPS: Readonly<Record<VideoCodec, number | null>> = {
  h264: null,
  h265: null,
  prores_422: 147,
  prores_422_hq: 220,
  prores_4444: 330,
  image_sequence: 330 * 2,
};

/**
 * Nominal delivered bitrate in Mbps, for transfer and storage estimates: the preset's own, or
 * the 1080p29.97 rate above scaled by pixels and frame rate.
 */
export function nominalBitrateMbps(preset: RenderPreset, fps: number): number {
  if (!(fps > 0)) throw new RangeError(`fps must be more than 0 to estimate a bitrate, not ${fps}`);
  if (preset.bitrateMbps !== null) return preset.bitrateMbps;
  const rate = RATE_1080P30_MBPS[preset.codec];
  if (rate === null) throw new Error(`Preset "${preset.name}" uses ${preset.codec} but has no bitrateMbps; give it one.`);
  return rate * ((preset.width * preset.height) / (1920 * 1080)) * (fps / 29.97);
}
