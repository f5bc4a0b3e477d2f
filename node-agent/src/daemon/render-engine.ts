import type { FailureReason, FrameDepth } from '@cloudexport/shared';

/**
 * What to write: an image sequence at this many bits per channel (one file per frame), or the
 * comp's sound alone over the range (one audio file, for the assembly to mux).
 */
export type RenderOutput = { kind: 'frames'; depth: FrameDepth } | { kind: 'audio' };

/** What the agent asks of an engine: render [frameStart, frameEnd] of a comp into a folder. */
export interface RenderJob {
  projectPath: string;
  comp: string;
  frameStart: number;
  frameEnd: number;
  outputDir: string;
  output: RenderOutput;
}

export interface RenderCallbacks {
  onProgress(framesDone: number, lastFrame: number | null): void;
  onWarning(message: string): void;
}

export type RenderOutcome =
  /** `files`: the validated frame files, absolute paths in frame order (the one audio file for audio). */
  | { ok: true; frames: number; files: string[] }
  | { ok: false; reason: FailureReason; message: string; lastLines: string[] };

export interface RenderEngine {
  render(job: RenderJob, callbacks: RenderCallbacks, signal: AbortSignal): Promise<RenderOutcome>;
}
