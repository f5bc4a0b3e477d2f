import { isProRes } from './codecs.js';
import type { RenderPreset } from './presets.js';

/** Bits per channel of the intermediate frames the nodes render and the assembly reads. */
export type FrameDepth = 8 | 16;

/**
 * Deep enough for the target, never deeper than it needs: 8-bit H.264/H.265 from 8-bit frames;
 * 10-bit ProRes and delivered image sequences from 16-bit frames, so gradients do not band.
 */
export function frameDepthFor(preset: Pick<RenderPreset, 'codec'>): FrameDepth {
  return isProRes(preset.codec) || preset.codec === 'image_sequence' ? 16 : 8;
}

/** The deliverable's file extension: the container's, or a tar of the frames for an image sequence. */
export function deliverableExtension(preset: Pick<RenderPreset, 'container'>): 'mp4' | 'mov' | 'tar' {
  return preset.container === 'frames' ? 'tar' : preset.container;
}
