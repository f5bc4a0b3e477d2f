import { deliverableExtension, FFMPEG_ENCODERS, frameDepthFor, resolvePreset, type CompSpec, type CustomPreset, type DeliverableSpec, type FrameDepth, type PresetId } from '@cloudexport/shared';

interface DeliveredJob {
  comp: CompSpec;
  preset: PresetId;
  custom: CustomPreset | null;
  /** Jobs without a bundle store no outputs and get no deliverable. */
  bundle: string | null;
}

/** Whether the job renders the comp's sound (its own audio chunk): the comp has some and the preset carries a sound track. */
export function rendersAudio(job: Pick<DeliveredJob, 'comp' | 'preset' | 'custom'>): boolean {
  return job.comp.hasAudio === true && resolvePreset(job.preset, job.custom ?? undefined).audioCodec !== null;
}

/** What the assemble chunk of this job must produce. */
export function deliverableSpec(job: DeliveredJob): DeliverableSpec {
  const preset = resolvePreset(job.preset, job.custom ?? undefined);
  const { name, width, height, fps, frameStart, frameEnd } = job.comp;
  return {
    preset: { ...preset },
    // jobs created before the comp carried its pixel aspect had square pixels as far as anyone knew
    comp: { name, width, height, fps, pixelAspect: job.comp.pixelAspect ?? 1 },
    frameStart,
    frameEnd,
    hasAudio: rendersAudio(job),
    frameDepth: frameDepthFor(preset),
    fileName: `deliverable.${deliverableExtension(preset)}`,
  };
}

/** Bits per channel a frame chunk of this job renders: deep enough for its deliverable. */
export function frameDepthOf(job: DeliveredJob): FrameDepth {
  return job.bundle === null ? 8 : frameDepthFor(resolvePreset(job.preset, job.custom ?? undefined));
}

/** The ffmpeg encoder an assembling node needs for this job, or null when none (image sequences). */
export function encoderNeeded(job: Pick<DeliveredJob, 'preset' | 'custom'>): string | null {
  return FFMPEG_ENCODERS[resolvePreset(job.preset, job.custom ?? undefined).codec];
}
