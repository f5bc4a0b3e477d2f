import { constants } from 'node:fs';
import { access, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as pty from 'node-pty';
import type { FailureReason } from '@cloudexport/shared';
import { aerenderArguments, type AerenderArgumentsInput } from './arguments.js';
import { FrameCounter } from './frame-counter.js';
import { killProcessTree } from './kill-process-tree.js';
import { AerenderOutputParser } from './output-parser.js';
import { ProgressThrottle } from './progress-throttle.js';
import { DEFAULT_MIN_FRAME_BYTES, frameFileName, validateAudioFile, validateFrames } from './validate-frames.js';

export interface AerenderRequest extends AerenderArgumentsInput {
  aerenderPath: string;
  /**
   * 'frames' (default): `outputPath` is a sequence pattern and every frame file must exist after
   * the render. 'audio': `outputPath` is the one AIFF file the output module writes.
   */
  outputKind?: 'frames' | 'audio';
  cwd: string;
  /** Environment for aerender; default this process's. */
  env?: Record<string, string | undefined>;
  /** Kill the render when aerender prints nothing for this long (ms). */
  quietTimeoutMs: number;
  /** Kill the render when it runs longer than this (ms). */
  totalTimeoutMs: number;
  /** At most one progress callback per this many ms; default 500. */
  progressIntervalMs?: number;
  /** Smallest acceptable frame file; default DEFAULT_MIN_FRAME_BYTES. */
  minFrameBytes?: number;
}

export interface AerenderProgress {
  /** Distinct frames aerender reported, at most framesTotal. */
  framesDone: number;
  framesTotal: number;
  /** Absolute frame number of the latest reported frame. */
  lastFrame: number;
}

export interface AerenderEvents {
  onProgress(p: AerenderProgress): void;
  /** Each distinct warning once, already made readable. */
  onWarning(message: string): void;
  /** Every non-blank output line. */
  onLog?(line: string): void;
}

export type AerenderFailureReason = Extract<
  FailureReason,
  'aerender_error' | 'exit_code' | 'quiet_timeout' | 'total_timeout' | 'missing_frames' | 'cancelled' | 'spawn_failed'
>;

export type RenderResult =
  /** `files`: the validated outputs, absolute paths: one per frame in frame order, or the one audio file. */
  | { ok: true; files: string[]; warnings: string[]; aeVersion: string | null }
  | { ok: false; reason: AerenderFailureReason; message: string; warnings: string[]; lastLines: string[] };

const DEFAULT_PROGRESS_INTERVAL_MS = 500;
const LAST_LINES = 20;
const MAX_ERROR_MESSAGE = 2000;
// After SIGKILL the pty's exit normally follows within milliseconds; never hang the caller on it.
const EXIT_GRACE_MS = 5000;
const PTY_SIZE = { cols: 500, rows: 50 };
// setTimeout fires at once for delays past 2^31-1 ms (~24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function definedEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Renders one chunk with aerender under a pseudo-terminal (on some platforms aerender prints
 * progress only to a terminal). Fails on any error line even when the exit code is 0, and
 * reports success only once every frame file (or the audio file) is on disk.
 */
export async function runAerender(request: AerenderRequest, events: AerenderEvents, signal?: AbortSignal): Promise<RenderResult> {
  const warnings: string[] = [];
  const fail = (reason: AerenderFailureReason, message: string, lastLines: string[] = []): RenderResult =>
    ({ ok: false, reason, message, warnings, lastLines });

  const args = aerenderArguments(request);
  const outputDir = dirname(request.outputPath);
  const pattern = basename(request.outputPath);
  const audio = request.outputKind === 'audio';
  if (!audio) frameFileName(pattern, request.frameStart); // Throws now, not after the render, when there is no frame token.
  if (signal?.aborted) return fail('cancelled', 'The render was cancelled before aerender started.');
  // A file left by an earlier try must not pass for this render's.
  if (audio) await rm(request.outputPath, { force: true });
  try {
    await access(request.aerenderPath, constants.X_OK);
  } catch (error) {
    return fail('spawn_failed', `aerender cannot be started: ${request.aerenderPath} is missing or not executable (${(error as Error).message}). Check the After Effects install with the node's doctor command.`);
  }
  let child: pty.IPty;
  try {
    child = pty.spawn(request.aerenderPath, args, {
      name: 'xterm',
      ...PTY_SIZE,
      cwd: request.cwd,
      env: definedEnv(request.env ?? process.env),
    });
  } catch (error) {
    return fail('spawn_failed', `aerender could not be started from ${request.aerenderPath}: ${(error as Error).message}.`);
  }
  return supervise(child, request, events, warnings, signal, { outputDir, pattern, fail });
}

async function validateOutput(
  request: AerenderRequest,
  outputDir: string,
  pattern: string,
): Promise<{ ok: true; files: string[] } | { ok: false; message: string }> {
  if (request.outputKind === 'audio') {
    const audio = await validateAudioFile(request.outputPath);
    return audio.ok ? { ok: true, files: [audio.path] } : audio;
  }
  const frames = await validateFrames(outputDir, pattern, request.frameStart, request.frameEnd, request.minFrameBytes ?? DEFAULT_MIN_FRAME_BYTES);
  return frames.ok ? { ok: true, files: frames.frames } : frames;
}

interface Context {
  outputDir: string;
  pattern: string;
  fail: (reason: AerenderFailureReason, message: string, lastLines?: string[]) => RenderResult;
}

function supervise(
  child: pty.IPty,
  request: AerenderRequest,
  events: AerenderEvents,
  warnings: string[],
  signal: AbortSignal | undefined,
  { outputDir, pattern, fail }: Context,
): Promise<RenderResult> {
  const framesTotal = request.frameEnd - request.frameStart + 1;
  const counter = new FrameCounter();
  const errors: string[] = [];
  const lastLines: string[] = [];
  let aeVersion: string | null = null;
  let stopped: { reason: AerenderFailureReason; message: string } | null = null;
  let settled = false;
  const throttle = new ProgressThrottle(request.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS, events.onProgress);
  const progress = (): AerenderProgress => ({
    framesDone: Math.min(counter.count, framesTotal),
    framesTotal,
    lastFrame: request.frameStart + (counter.last ?? 1) - 1,
  });
  const sameProgress = (a: AerenderProgress, b: AerenderProgress) =>
    a.framesDone === b.framesDone && a.framesTotal === b.framesTotal && a.lastFrame === b.lastFrame;
  const doneSoFar = () => `after ${Math.min(counter.count, framesTotal)} of ${framesTotal} frames`;

  const parser = new AerenderOutputParser((event, line) => {
    lastLines.push(line);
    if (lastLines.length > LAST_LINES) lastLines.shift();
    events.onLog?.(line);
    switch (event.type) {
      case 'frame':
        counter.add(event.frame);
        throttle.update(progress());
        break;
      case 'warning':
        if (!warnings.includes(event.message)) {
          warnings.push(event.message);
          events.onWarning(event.message);
        }
        break;
      case 'error':
        errors.push(event.message);
        break;
      case 'version':
        aeVersion = event.version;
        break;
      default:
        break;
    }
  });

  return new Promise<RenderResult>((resolve) => {
    let exitGrace: NodeJS.Timeout | null = null;
    const stop = (reason: AerenderFailureReason, message: string) => {
      if (stopped || settled) return;
      stopped = { reason, message };
      killProcessTree(child.pid, () => child.kill('SIGKILL'));
      exitGrace = setTimeout(() => void finish(null), EXIT_GRACE_MS);
    };
    const quietTimer = setTimeout(() => stop('quiet_timeout',
      `aerender printed nothing for ${seconds(request.quietTimeoutMs)} ${doneSoFar()}, so the render was stopped. After Effects may be stuck on a dialog or a very slow frame; check the project, or raise the quiet timeout.`),
    Math.min(request.quietTimeoutMs, MAX_TIMER_MS));
    const totalTimer = setTimeout(() => stop('total_timeout',
      `The render ran past its ${seconds(request.totalTimeoutMs)} limit ${doneSoFar()} and was stopped. Render smaller chunks or raise the time limit.`),
    Math.min(request.totalTimeoutMs, MAX_TIMER_MS));
    const onAbort = () => stop('cancelled', `The render was cancelled ${doneSoFar()}; aerender was stopped.`);
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = async (exit: { exitCode: number; signal?: number } | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(quietTimer);
      clearTimeout(totalTimer);
      if (exitGrace) clearTimeout(exitGrace);
      signal?.removeEventListener('abort', onAbort);
      parser.end();
      // Helpers the render left behind must not keep holding the GPU.
      if (process.platform !== 'win32') killProcessTree(child.pid, () => undefined);
      resolve(await outcome(exit));
    };

    const outcome = async (exit: { exitCode: number; signal?: number } | null): Promise<RenderResult> => {
      if (stopped) {
        throttle.finish();
        return fail(stopped.reason, stopped.message, [...lastLines]);
      }
      if (errors.length > 0) {
        throttle.finish();
        const message = `After Effects reported an error ${doneSoFar()}: ${errors.join(' | ')}`.slice(0, MAX_ERROR_MESSAGE);
        return fail('aerender_error', message, [...lastLines]);
      }
      if (!exit || exit.exitCode !== 0 || (exit.signal ?? 0) !== 0) {
        throttle.finish();
        const how = exit?.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit?.exitCode ?? 'unknown'}`;
        return fail('exit_code', `aerender ${how} ${doneSoFar()} without reporting an error; After Effects probably crashed. See the last lines of its output.`, [...lastLines]);
      }
      const files = await validateOutput(request, outputDir, pattern);
      if (!files.ok) {
        throttle.finish();
        return fail('missing_frames', files.message, [...lastLines]);
      }
      throttle.finish({ framesDone: framesTotal, framesTotal, lastFrame: request.frameEnd }, sameProgress);
      return { ok: true, files: files.files, warnings, aeVersion };
    };

    child.onData((data) => {
      quietTimer.refresh();
      parser.push(data);
    });
    child.onExit((exit) => void finish(exit));
  });
}
