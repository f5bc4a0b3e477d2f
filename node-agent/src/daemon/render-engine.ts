import type { FailureReason } from '@cloudexport/shared';

/** What the agent asks of an engine: render frames [frameStart, frameEnd] of a comp into a folder. */
export interface RenderJob {
  projectPath: string;
  comp: string;
  frameStart: number;
  frameEnd: number;
  outputDir: string;
}

export interface RenderCallbacks {
  onProgress(framesDone: number, lastFrame: number | null): void;
  onWarning(message: string): void;
}

export type RenderOutcome =
  /** `files`: the validated frame files, absolute paths in frame order. */
  | { ok: true; frames: number; files: string[] }
  | { ok: false; reason: FailureReason; message: string; lastLines: string[] };

export interface RenderEngine {
  render(job: RenderJob, callbacks: RenderCallbacks, signal: AbortSignal): Promise<RenderOutcome>;
}
