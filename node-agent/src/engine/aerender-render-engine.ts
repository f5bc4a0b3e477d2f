import { mkdir } from 'node:fs/promises';
import type { RenderCallbacks, RenderEngine, RenderJob, RenderOutcome, RenderOutput } from '../daemon/render-engine.js';
import {
  AUDIO_OUTPUT_MODULE_TEMPLATE,
  audioOutputPath,
  DEEP_OUTPUT_MODULE_TEMPLATE,
  DEFAULT_OUTPUT_MODULE_TEMPLATE,
  frameSequencePath,
} from './aerender/arguments.js';
import { runAerender } from './aerender/aerender-engine.js';

export interface AerenderEngineOptions {
  /** The aerender to run; null when this node has none (every chunk then fails, saying so). */
  aerenderPath: () => string | null;
  aeMajor: number;
  /** No output for this long kills the render. Default 10 minutes (first-frame loads can be slow). */
  quietTimeoutMs?: number;
  /** A chunk running longer than this is killed. Default 12 hours. */
  totalTimeoutMs?: number;
  /** Environment for aerender. Default this process's. */
  env?: Record<string, string | undefined>;
}

/** What aerender is asked to write for a job's output. */
export interface OutputPlan {
  outputModuleTemplate: string;
  outputPath: string;
  outputKind: 'frames' | 'audio';
}

/** The output module template and `-output` path for each kind of output. */
export function outputPlan(output: RenderOutput, outputDir: string): OutputPlan {
  if (output.kind === 'audio') {
    return { outputModuleTemplate: AUDIO_OUTPUT_MODULE_TEMPLATE, outputPath: audioOutputPath(outputDir), outputKind: 'audio' };
  }
  return {
    outputModuleTemplate: output.depth === 16 ? DEEP_OUTPUT_MODULE_TEMPLATE : DEFAULT_OUTPUT_MODULE_TEMPLATE,
    outputPath: frameSequencePath(outputDir),
    outputKind: 'frames',
  };
}

const MISSING_TEMPLATE = /no output module template/i;

/**
 * The agent's engine: aerender under a pseudo-terminal, writing a TIFF sequence (8 or 16 bits per
 * channel) or one AIFF file of the comp's sound per chunk.
 */
export class AerenderRenderEngine implements RenderEngine {
  constructor(private readonly options: AerenderEngineOptions) {}

  async render(job: RenderJob, callbacks: RenderCallbacks, signal: AbortSignal): Promise<RenderOutcome> {
    const aerenderPath = this.options.aerenderPath();
    if (!aerenderPath) {
      return { ok: false, reason: 'no_engine', message: 'This node has no After Effects: install AE 2020 or later, or start the agent with --aerender.', lastLines: [] };
    }
    await mkdir(job.outputDir, { recursive: true });
    const plan = outputPlan(job.output, job.outputDir);
    const result = await runAerender(
      {
        aerenderPath,
        cwd: job.outputDir,
        env: this.options.env,
        projectPath: job.projectPath,
        comp: job.comp,
        frameStart: job.frameStart,
        frameEnd: job.frameEnd,
        ...plan,
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
    if (result.ok) {
      const frames = plan.outputKind === 'audio' ? job.frameEnd - job.frameStart + 1 : result.files.length;
      return { ok: true, frames, files: result.files };
    }
    let message = result.message;
    if (result.reason === 'aerender_error' && plan.outputModuleTemplate === DEEP_OUTPUT_MODULE_TEMPLATE && MISSING_TEMPLATE.test(message)) {
      message += ` This node lacks the "${DEEP_OUTPUT_MODULE_TEMPLATE}" output module template that 16-bit renders need; run the CloudExport node installer again to add it.`;
    }
    return { ok: false, reason: result.reason, message, lastLines: result.lastLines };
  }
}
