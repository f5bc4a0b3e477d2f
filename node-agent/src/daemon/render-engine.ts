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
  | { ok: true; frames: number }
  | { ok: false; reason: FailureReason; message: string; lastLines: string[] };

export interface RenderEngine {
  render(job: RenderJob, callbacks: RenderCallbacks, signal: AbortSignal): Promise<RenderOutcome>;
}

/** Where a chunk's project comes from. */
export interface ProjectSource {
  /** Resolves the job's bundle to a project file on this machine, or says why it cannot. */
  prepare(bundle: string | null, workDir: string): Promise<{ projectPath: string } | { error: string }>;
}
