import { join } from 'node:path';

/** Built-in AE render settings template; exists on every install. */
export const DEFAULT_RENDER_SETTINGS_TEMPLATE = 'Best Settings';
/**
 * Built-in AE output module template that writes an image sequence. A sequence (not a movie like
 * 'Lossless') gives one file per frame, so a chunk's output can be checked frame by frame and
 * stitched later. AE ships no PNG-sequence template; pass `outputModuleTemplate` for one.
 */
export const DEFAULT_OUTPUT_MODULE_TEMPLATE = 'TIFF Sequence with Alpha';
/**
 * Output module template for 16-bit frames: TIFF sequence, Trillions of Colors+, RGB + Alpha.
 * AE ships no 16-bit sequence template, so the node installer adds this one to AE's output-module
 * templates; a node without it fails the render with aerender's "No output module template".
 */
export const DEEP_OUTPUT_MODULE_TEMPLATE = 'CloudExport TIFF 16-bit';
/** File extension of DEFAULT_OUTPUT_MODULE_TEMPLATE and DEEP_OUTPUT_MODULE_TEMPLATE. */
export const DEFAULT_FRAME_EXTENSION = 'tif';
/** Built-in AE output module template that writes the comp's sound alone: one 48 kHz AIFF file. */
export const AUDIO_OUTPUT_MODULE_TEMPLATE = 'AIFF 48kHz';
/** Name of an audio render's one output file (AUDIO_OUTPUT_MODULE_TEMPLATE writes AIFF). */
export const AUDIO_FILE_NAME = 'audio.aif';
/** AE's frame-number token: replaced by the zero-padded frame number, one digit per `#`. */
export const FRAME_NUMBER_TOKEN = '[#####]';
/** Multi-frame rendering (`-mfr`) exists from AE 22.0 (2022) on. */
export const FIRST_MFR_MAJOR = 22;

export interface AerenderArgumentsInput {
  projectPath: string;
  comp: string;
  frameStart: number;
  frameEnd: number;
  /** Image-sequence path with AE's `[#####]` token (see frameSequencePath), or one file for audio. */
  outputPath: string;
  /** After Effects major version on this node (24 for AE 2024). */
  aeMajor: number;
  /** Default DEFAULT_RENDER_SETTINGS_TEMPLATE. */
  renderSettingsTemplate?: string;
  /** Default DEFAULT_OUTPUT_MODULE_TEMPLATE. */
  outputModuleTemplate?: string;
  /** aerender's "play a sound when done"; default false. */
  sound?: boolean;
}

/** `outputDir/frame_[#####].ext`: the sequence path handed to `-output`. */
export function frameSequencePath(outputDir: string, extension: string = DEFAULT_FRAME_EXTENSION): string {
  return join(outputDir, `frame_${FRAME_NUMBER_TOKEN}.${extension}`);
}

/** `outputDir/audio.aif`: the one file an audio render writes (no frame token). */
export function audioOutputPath(outputDir: string): string {
  return join(outputDir, AUDIO_FILE_NAME);
}

/**
 * aerender's command line for one chunk. Never `-continueOnMissingFootage`: a render with
 * missing footage must fail rather than deliver wrong frames.
 */
export function aerenderArguments(r: AerenderArgumentsInput): string[] {
  if (!Number.isInteger(r.frameStart) || !Number.isInteger(r.frameEnd) || r.frameStart < 0 || r.frameEnd < r.frameStart) {
    throw new RangeError(`Invalid frame range ${r.frameStart}–${r.frameEnd}: start and end must be whole numbers with start ≤ end.`);
  }
  const args = [
    '-project', r.projectPath,
    '-comp', r.comp,
    '-s', String(r.frameStart),
    '-e', String(r.frameEnd),
    '-output', r.outputPath,
    '-RStemplate', r.renderSettingsTemplate ?? DEFAULT_RENDER_SETTINGS_TEMPLATE,
    '-OMtemplate', r.outputModuleTemplate ?? DEFAULT_OUTPUT_MODULE_TEMPLATE,
    '-v', 'ERRORS_AND_PROGRESS',
    '-sound', r.sound === true ? 'ON' : 'OFF',
  ];
  // `-mfr ON|OFF max_cpu_percent`; older aerender rejects the flag.
  if (r.aeMajor >= FIRST_MFR_MAJOR) args.push('-mfr', 'ON', '100');
  return args;
}
