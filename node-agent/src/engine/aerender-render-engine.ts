import { mkdir } from 'node:fs/promises';
import type { RenderCallbacks, RenderEngine, RenderJob, RenderOutcome } from '../daemon/render-engine.js';
import { frameSequencePath } from './aerender/arguments.js';
import { runAerender } from './aerender/aerender-engine.js';

export interface AerenderEngineOptions {
  /** The aerender to run; null when this node has none (every chunk then fails, saying so). */
  aerenderPath: () => string | null;
  aeMajor: number;
  /** No output for this long kills the render. Default 10 minutes (first-frame loads can be slow). */
  quietTimeoutMs?: number;
  /** A chunk running longer than this is killed. Default 12 hours. */
  totalTimeoutMs?: number;
}

/** The agent's engine: aerender under a pseudo-terminal, output to an image sequence per chunk. */
export class AerenderRenderEngine implements RenderEngine {
  constructor(private readonly options: AerenderEngineOptions) {}

  async render(job: RenderJob, callbacks: RenderCallbacks, signal: AbortSignal): Promise<RenderOutcome> {
    const aerenderPath = this.options.aerenderPath();
    if (!aerenderPath) {
      return { ok: false, reason: 'no_engine', message: 'This node has no After Effects: install AE 2020 or later, or start the agent with --aerender.', lastLines: [] };
    }
    await mkdir(job.outputDir, { recursive: true });
    const result = await runAerender(
      {
        aerenderPath,
        cwd: job.outputDir,
        projectPath: job.projectPath,
        comp: job.comp,
        frameStart: job.frameStart,
        frameEnd: job.frameEnd,
        outputPath: frameSequencePath(job.outputDir),
        aeMajor: this.options.aeMajor,
        quietTimeoutMs: this.options.quietTimeoutMs ?? 10 * 60_000,
        totalTimeoutMs: this.options.totalTimeoutMs ?? 12 * 3600_000,
      },
      {
        onProgress: (p) => callbacks.onProgress(p.framesDone, p.lastFrame),
        onWarning: (message) => callbacks.onWarning(message),
      },
      signal,
    );
    if (result.ok) return { ok: true, frames: result.frames.length, files: result.frames };
    return { ok: false, reason: result.reason, message: result.message, lastLines: result.lastLines };
  }
}
