// The deliverable of an assemble chunk, from fetched frames (and sound) to a checked file:
//   movie           encodeArguments → runFfmpeg → verifyDeliverable (ffprobe decodes every frame)
//   image sequence  (resized with ffmpeg when the preset's size is not the comp's) → tar → read back
// Failure reasons: 'ffmpeg' for this node's tools (missing encoder, crash, ffprobe that did not
// run: another node may do better), 'verification' for a file that is not what the preset
// promised (the same encode fails anywhere), 'internal' for inputs that do not fit the spec.
import { mkdir, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { deliverableExtension, FFMPEG_ENCODERS, type DeliverableSpec, type FailureReason } from '@cloudexport/shared';
import { encodeArguments, fpsRational, type EncodePlan } from './encode-args.js';
import type { FetchedInputs } from './fetch-inputs.js';
import { packFrames, verifyFramePack, type FrameRange, type PackSummary } from './pack-frames.js';
import { runFfmpeg } from './run-ffmpeg.js';
import { ffprobeBesideFfmpeg, verifyDeliverable, type ProbeSummary } from './verify-deliverable.js';

export interface AssembleRequest {
  spec: DeliverableSpec;
  /** What fetchInputs returned: the frames (and sound) on disk. */
  inputs: Pick<FetchedInputs, 'framesDir' | 'firstFrame' | 'frameCount' | 'extension' | 'pattern' | 'audioPath'>;
  /** Where the deliverable (and any resized frames) is written; created when missing. */
  workDir: string;
  ffmpegPath: string;
  /** Encoders this ffmpeg has (FfmpegInfo.encoders): a missing one fails before encoding. */
  encoders: readonly string[];
  signal?: AbortSignal;
  /** Frames encoded (or packed) so far; called again with the total while a resized sequence is packed. */
  onProgress?: (framesEncoded: number, totalFrames: number) => void;
  /** Progress notes (a pino logger fits). */
  log?: AssemblyLog;
  /** x264/x265 speed preset; default encodeArguments' (`medium`). */
  speed?: string;
  /** Default: the ffprobe beside ffmpegPath. */
  ffprobePath?: string;
  /** Stop ffmpeg when it reports no progress for this long (ms); default runFfmpeg's 5 minutes. */
  quietTimeoutMs?: number;
}

export interface AssemblyLog {
  info(fields: Record<string, unknown>, message: string): void;
}

export type AssemblyFailureReason = Extract<FailureReason, 'ffmpeg' | 'verification' | 'internal'>;

export type AssembleResult =
  /** `probe`: ffprobe's summary of a movie, or the read-back of an image sequence's tar. */
  | { ok: true; path: string; probe: ProbeSummary | PackSummary }
  | { ok: false; reason: AssemblyFailureReason; message: string; lastLines: string[] };

const fail = (reason: AssemblyFailureReason, message: string, lastLines: string[] = []): AssembleResult => ({ ok: false, reason, message, lastLines });

/** Inputs that do not fit the spec: a fault upstream, whatever node assembles. */
function misfit(spec: DeliverableSpec, inputs: AssembleRequest['inputs']): string | null {
  const expected = spec.frameEnd - spec.frameStart + 1;
  if (inputs.firstFrame !== spec.frameStart || inputs.frameCount !== expected) {
    return `The fetched frames ${inputs.firstFrame}–${inputs.firstFrame + inputs.frameCount - 1} are not the deliverable's range ${spec.frameStart}–${spec.frameEnd}; the coordinator's ticket and its deliverable disagree.`;
  }
  const wanted = `.${deliverableExtension(spec.preset)}`;
  if (extname(spec.fileName) !== wanted) return `The deliverable is named ${spec.fileName}, but a ${spec.preset.codec} deliverable in ${spec.preset.container} is a ${wanted} file.`;
  if (spec.hasAudio && spec.preset.audioCodec !== null && inputs.audioPath === null) {
    return `The comp has sound (hasAudio), but the assembly ticket brought no sound file; the audio chunk's output is missing from it.`;
  }
  return null;
}

/**
 * Makes the spec's deliverable from the fetched inputs and checks it. Never throws: every
 * failure comes back with its reason, a message and (for ffmpeg) its last lines.
 */
export async function assembleDeliverable(request: AssembleRequest): Promise<AssembleResult> {
  const { spec, inputs } = request;
  const problem = misfit(spec, inputs);
  if (problem) return fail('internal', `${problem} Nothing was encoded.`);
  try {
    await mkdir(request.workDir, { recursive: true });
    return spec.preset.codec === 'image_sequence' ? await assembleSequence(request) : await assembleMovie(request);
  } catch (err) {
    if (request.signal?.aborted) return fail('internal', 'The assembly was cancelled.');
    return fail('internal', `Assembling ${spec.fileName} failed: ${(err as Error).message}`);
  }
}

async function assembleMovie(request: AssembleRequest): Promise<AssembleResult> {
  const { spec, inputs, log } = request;
  const encoder = FFMPEG_ENCODERS[spec.preset.codec];
  if (encoder && !request.encoders.includes(encoder)) {
    return fail('ffmpeg', `This node's ffmpeg (${request.ffmpegPath}) has no ${encoder} encoder, needed for ${spec.preset.codec} (preset "${spec.preset.name}"). Install an ffmpeg build with ${encoder}; another node can take the chunk meanwhile.`);
  }
  const path = join(request.workDir, spec.fileName);
  const withSound = spec.hasAudio && spec.preset.audioCodec !== null && inputs.audioPath !== null;
  if (inputs.audioPath !== null && !withSound) log?.info({ audio: inputs.audioPath }, 'the deliverable has no sound track; the fetched sound is left out');
  let plan: EncodePlan;
  try {
    plan = encodeArguments({
      preset: spec.preset,
      comp: spec.comp,
      frames: { pattern: inputs.pattern, startNumber: inputs.firstFrame, frameCount: inputs.frameCount },
      outputPath: path,
      audio: withSound ? { path: inputs.audioPath as string } : null,
      ...(request.speed ? { speed: request.speed } : {}),
    });
  } catch (err) {
    return fail('internal', `The ${spec.preset.name} deliverable cannot be encoded: ${(err as Error).message}`);
  }

  const total = plan.expected.frameCount;
  log?.info({ encoder, frames: total, audio: withSound, output: path }, 'encoding the deliverable');
  const run = await runFfmpeg(
    { ffmpegPath: request.ffmpegPath, args: plan.args, framesTotal: total, ...(request.quietTimeoutMs ? { quietTimeoutMs: request.quietTimeoutMs } : {}) },
    (p) => request.onProgress?.(p.framesDone, total),
    request.signal,
  );
  if (!run.ok) {
    await rm(path, { force: true });
    return fail('ffmpeg', run.message, run.lastLines);
  }
  request.onProgress?.(total, total);

  const verified = await verifyDeliverable(path, plan.expected, { ffprobePath: request.ffprobePath ?? ffprobeBesideFfmpeg(request.ffmpegPath), ...(request.signal ? { signal: request.signal } : {}) });
  log?.info({ wallMs: run.wallMs, probe: verified.probe, failures: verified.failures }, 'deliverable checked');
  if (verified.probeFailed) return fail('ffmpeg', `The ${spec.fileName} encode could not be checked: ${verified.failures.join('; ')}. Install ffprobe beside ffmpeg (it ships with it).`);
  if (!verified.ok) {
    return fail('verification', `${spec.fileName} is not what the ${spec.preset.name} preset promises: ${verified.failures.join('; ')}. It was not uploaded.`, verified.probe ? [`ffprobe: ${JSON.stringify(verified.probe)}`] : []);
  }
  return { ok: true, path, probe: verified.probe as ProbeSummary };
}

async function assembleSequence(request: AssembleRequest): Promise<AssembleResult> {
  const { spec, inputs, log } = request;
  const total = inputs.frameCount;
  let range: FrameRange = { framesDir: inputs.framesDir, firstFrame: inputs.firstFrame, frameCount: total, extension: inputs.extension };
  if (spec.preset.width !== spec.comp.width || spec.preset.height !== spec.comp.height) {
    const resized = await resizeFrames(request);
    if (!resized.ok) return resized.failure;
    range = resized.range;
  }
  const path = join(request.workDir, spec.fileName);
  const resizedAlready = range.framesDir !== inputs.framesDir;
  log?.info({ frames: total, resized: resizedAlready, output: path }, 'packing the image sequence');
  await packFrames({
    ...range,
    outputPath: path,
    ...(request.signal ? { signal: request.signal } : {}),
    onProgress: (packed) => request.onProgress?.(resizedAlready ? total : packed, total),
  });
  const verified = await verifyFramePack(path, range);
  log?.info({ summary: verified.summary, failures: verified.failures }, 'image sequence checked');
  if (!verified.ok) return fail('verification', `${spec.fileName} does not hold frames ${range.firstFrame}–${range.firstFrame + total - 1} once each: ${verified.failures.join('; ')}. It was not uploaded.`);
  return { ok: true, path, probe: verified.summary };
}

/**
 * The frames fitted into the preset's size (kept whole, centred, padded transparent) as TIFF at
 * the frames' depth, into `<workDir>/frames-<w>x<h>`.
 */
/** The filter that makes non-square comp pixels square (then a fit keeps the picture's shape), or nothing. */
function squarePixels(pixelAspect: number): string {
  return Math.abs(pixelAspect - 1) > 1e-6 ? `scale=trunc(iw*${pixelAspect.toFixed(6)}/2)*2:ih:flags=lanczos,` : '';
}

async function resizeFrames(request: AssembleRequest): Promise<{ ok: true; range: FrameRange } | { ok: false; failure: AssembleResult }> {
  const { spec, inputs } = request;
  const { width, height } = spec.preset;
  const framesDir = join(request.workDir, `frames-${width}x${height}`);
  await rm(framesDir, { recursive: true, force: true });
  await mkdir(framesDir, { recursive: true });
  const fps = fpsRational(spec.comp.fps);
  const args = [
    '-f', 'image2', '-framerate', `${fps.num}/${fps.den}`, '-start_number', String(inputs.firstFrame), '-i', inputs.pattern,
    '-frames:v', String(inputs.frameCount), '-map_metadata', '-1',
    '-vf', `${squarePixels(spec.comp.pixelAspect)}scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=lanczos,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black@0,setsar=1`,
    '-pix_fmt', spec.frameDepth === 16 ? 'rgba64le' : 'rgba', '-c:v', 'tiff',
    '-f', 'image2', '-start_number', String(inputs.firstFrame), '-y', join(framesDir.replaceAll('%', '%%'), 'frame_%06d.tif'),
  ];
  request.log?.info({ width, height, frames: inputs.frameCount }, 'resizing the frames for the image sequence');
  const run = await runFfmpeg(
    { ffmpegPath: request.ffmpegPath, args, framesTotal: inputs.frameCount, ...(request.quietTimeoutMs ? { quietTimeoutMs: request.quietTimeoutMs } : {}) },
    (p) => request.onProgress?.(p.framesDone, inputs.frameCount),
    request.signal,
  );
  if (!run.ok) return { ok: false, failure: fail('ffmpeg', `Resizing the frames to ${width}×${height} failed: ${run.message}`, run.lastLines) };
  return { ok: true, range: { framesDir, firstFrame: inputs.firstFrame, frameCount: inputs.frameCount, extension: 'tif' } };
}
