import type { Job } from '@cloudexport/shared';
import { PRESETS } from '@cloudexport/shared';

/** "Web", "High Quality", or "Custom (h264 1280×720)". */
export function presetLabel(job: Pick<Job, 'preset' | 'custom'>): string {
  if (job.preset === 'custom') return job.custom ? `Custom (${job.custom.codec} ${job.custom.width}×${job.custom.height})` : 'Custom';
  return PRESETS[job.preset].name;
}

/** "1920×1080 · 29.97 fps". */
export function compSize(comp: Job['comp']): string {
  return `${comp.width}×${comp.height} · ${Number(comp.fps.toFixed(3))} fps`;
}

/** "Main · 1920×1080 · 29.97 fps". */
export function compLabel(comp: Job['comp']): string {
  return `${comp.name} · ${compSize(comp)}`;
}
