// The flags `estimate` and `submit` share: which comp, which frames, which preset, which tiers.
import {
  compSpecSchema,
  customPresetSchema,
  MAX_JOB_FRAMES,
  PresetId,
  resolvePreset,
  tierIdSchema,
  type AepComposition,
  type Complexity,
  type CompSpec,
  type CustomPreset,
  type EstimateInput,
  type RenderPreset,
} from '@cloudexport/shared';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { itemsUsedByComp, type CollectedProject } from '../bundle/collect.js';
import { thirdPartyEffects } from '../bundle/effect-origin.js';
import { usageError } from './cli-error.js';
import { formatFps } from './format.js';

export interface FrameRange {
  start: number;
  end: number;
}

/** `A-B` (inclusive) or a single frame `A`. */
export function parseFrames(value: string): FrameRange {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected A-B, whole frame numbers from 0 (e.g. 0-99), or one frame');
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (end < start) throw new InvalidArgumentError(`the range ends (${end}) before it starts (${start})`);
  if (end - start + 1 > MAX_JOB_FRAMES) throw new InvalidArgumentError(`a job renders at most ${MAX_JOB_FRAMES} frames; split the range`);
  return { start, end };
}

export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\s*-?\d+\s*$/.test(value)) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

function tierId(value: string): string {
  if (!tierIdSchema.safeParse(value).success) throw new InvalidArgumentError('expected a tier id: lowercase letters, digits and dashes (see the estimate’s tiers)');
  return value;
}

export interface RenderFlags {
  comp: string;
  preset: PresetId;
  frames?: FrameRange;
  maxTier?: string;
  complexity?: Complexity;
  width?: number;
  height?: number;
  codec?: string;
  container?: string;
  bitrate?: number;
}

export function addRenderOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--comp <name>', 'the composition to render, by name (see: cloudexport inspect)')
    .addOption(new Option('--preset <preset>', 'the deliverable: web, social, hq, or custom (with --width --height --codec --container)').choices(Object.values(PresetId)).default(PresetId.web))
    .option('--frames <A-B>', 'frames to render, inclusive (default: the whole comp)', parseFrames)
    .option('--max-tier <tier>', 'the most expensive GPU tier to use', tierId)
    .addOption(new Option('--complexity <level>', 'pricing complexity (default: plain without effects, else standard)').choices(['plain', 'standard', 'heavy']))
    .option('--width <px>', 'custom preset: output width', intIn(16, 8192))
    .option('--height <px>', 'custom preset: output height', intIn(16, 8192))
    .option('--codec <codec>', 'custom preset: h264, h265, prores_422, prores_4444, image_sequence, …')
    .option('--container <container>', 'custom preset: mp4, mov, frames, …')
    .option('--bitrate <mbps>', 'custom preset: target bitrate in Mbit/s (h264, h265)', positiveNumber);
}

/** The custom preset from its flags, checked before anything is read or sent. */
export function customFromFlags(flags: RenderFlags): CustomPreset | undefined {
  const given = (['width', 'height', 'codec', 'container', 'bitrate'] as const).filter((k) => flags[k] !== undefined);
  if (flags.preset !== 'custom') {
    if (given.length) throw usageError(`--${given.join(', --')} ${given.length === 1 ? 'applies' : 'apply'} only with --preset custom (the ${flags.preset} preset is fixed).`);
    return undefined;
  }
  const parsed = customPresetSchema.safeParse({
    width: flags.width,
    height: flags.height,
    codec: flags.codec,
    container: flags.container,
    ...(flags.bitrate === undefined ? {} : { bitrateMbps: flags.bitrate }),
  });
  if (!parsed.success) {
    throw usageError(`--preset custom: ${parsed.error.issues.map((i) => i.message).join('; ')}. Give --width, --height, --codec and --container (and --bitrate for h264/h265).`);
  }
  return parsed.data;
}

export interface RenderSettings {
  comp: AepComposition;
  compSpec: CompSpec;
  preset: RenderPreset;
  custom?: CustomPreset;
  complexity: Complexity;
  thirdPartyPlugins: boolean;
  /** Effects of the comp and its precomps that are not AE's own. */
  thirdPartyEffects: string[];
  /** Fonts the text layers of the comp and its precomps use (PostScript names). */
  fonts: string[];
  maxTier?: string;
  frames: number;
}

export function findComp(collected: CollectedProject, name: string): AepComposition {
  const comps = collected.project.compositions;
  const matches = comps.filter((c) => c.name === name);
  if (matches.length === 1) return matches[0]!;
  const list = comps.map((c) => `"${c.name}"`).join(', ') || 'none';
  if (matches.length > 1) throw usageError(`${matches.length} comps are named "${name}"; rename one in After Effects so each has its own name.`);
  const folded = comps.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  const hint = folded.length === 1 ? ` Did you mean "${folded[0]!.name}"?` : '';
  throw usageError(`No comp named "${name}" in ${collected.projectPath}.${hint} Its comps: ${list}.`);
}

export function renderSettings(collected: CollectedProject, flags: RenderFlags, custom: CustomPreset | undefined): RenderSettings {
  const comp = findComp(collected, flags.comp);
  const last = comp.frameCount - 1;
  if (last < 0) throw usageError(`Comp "${comp.name}" has no frames (duration ${comp.duration} s).`);
  const frames = flags.frames ?? { start: 0, end: last };
  if (frames.end > last) {
    throw usageError(`--frames ${frames.start}-${frames.end} goes past the end of "${comp.name}", whose frames are 0-${last} (${comp.frameCount} at ${formatFps(comp.frameRate)} fps).`);
  }
  const spec = compSpecSchema.safeParse({ name: comp.name, width: comp.width, height: comp.height, fps: comp.frameRate, frameStart: frames.start, frameEnd: frames.end, pixelAspect: comp.pixelAspect, hasAudio: comp.hasAudioLayers });
  if (!spec.success) {
    throw usageError(`Comp "${comp.name}" cannot be rendered as is: ${spec.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  }
  // effects of nested precomps render too
  const used = itemsUsedByComp(collected.project, comp.id);
  const effects = new Set(comp.effects);
  const fonts = new Set(comp.fonts);
  for (const c of collected.project.compositions) {
    if (!used.has(c.id)) continue;
    c.effects.forEach((e) => effects.add(e));
    c.fonts.forEach((f) => fonts.add(f));
  }
  const thirdParty = thirdPartyEffects([...effects].sort());
  return {
    comp,
    compSpec: spec.data,
    preset: resolvePreset(flags.preset, custom),
    ...(custom ? { custom } : {}),
    complexity: flags.complexity ?? (effects.size === 0 ? 'plain' : 'standard'),
    thirdPartyPlugins: thirdParty.length > 0,
    thirdPartyEffects: thirdParty,
    fonts: [...fonts].sort(),
    ...(flags.maxTier ? { maxTier: flags.maxTier } : {}),
    frames: frames.end - frames.start + 1,
  };
}

export function estimateBody(s: RenderSettings, bundleBytes: number): EstimateInput {
  return {
    durationSeconds: s.frames / s.compSpec.fps,
    fps: s.compSpec.fps,
    complexity: s.complexity,
    thirdPartyPlugins: s.thirdPartyPlugins,
    bundleBytes,
    preset: s.preset.id,
    ...(s.custom ? { custom: s.custom } : {}),
    ...(s.maxTier ? { maxTier: s.maxTier } : {}),
  };
}
