import { spawn, type ChildProcess } from 'node:child_process';
import type { FailureReason } from '@cloudexport/shared';

export interface FfmpegRunRequest {
  ffmpegPath: string;
  /** The deliverable's arguments (EncodePlan.args); the runner adds its own logging and progress ones in front. */
  args: readonly string[];
  /** Frames the encode will write, for progress; default unknown (0). */
  framesTotal?: number;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kill ffmpeg when it reports no progress for this long (ms); default 5 minutes. */
  quietTimeoutMs?: number;
}

export interface FfmpegProgress {
  framesDone: number;
  framesTotal: number;
  /** Encoding speed as a multiple of real time, when ffmpeg reports it. */
  speed: number | null;
}

export type FfmpegFailureReason = Extract<FailureReason, 'exit_code' | 'quiet_timeout' | 'cancelled' | 'spawn_failed'>;

export type FfmpegRunResult =
  | { ok: true; framesDone: number; wallMs: number }
  | { ok: false; reason: FfmpegFailureReason; message: string; lastLines: string[] };

const STDERR_LINES = 20;
const DEFAULT_QUIET_TIMEOUT_MS = 5 * 60_000;
const EXIT_GRACE_MS = 5000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Parses `-progress` blocks (`key=value` lines, each block closed by `progress=continue|end`). */
export class FfmpegProgressParser {
  private pending = '';
  private block = new Map<string, string>();

  constructor(private readonly onBlock: (block: ReadonlyMap<string, string>) => void) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split(/\r?\n/);
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      this.block.set(key, line.slice(eq + 1).trim());
      if (key === 'progress') {
        this.onBlock(this.block);
        this.block = new Map();
      }
    }
  }
}

/**
 * Runs one ffmpeg encode: progress from `-progress pipe:1`, the last stderr lines kept for the
 * error, killed on abort or when it goes quiet. `-v error` keeps stderr to what went wrong.
 */
export function runFfmpeg(request: FfmpegRunRequest, onProgress?: (p: FfmpegProgress) => void, signal?: AbortSignal): Promise<FfmpegRunResult> {
  const framesTotal = request.framesTotal ?? 0;
  const started = Date.now();
  const lastLines: string[] = [];
  let framesDone = 0;
  const fail = (reason: FfmpegFailureReason, message: string): FfmpegRunResult => ({ ok: false, reason, message, lastLines: [...lastLines] });
  if (signal?.aborted) return Promise.resolve(fail('cancelled', 'The encode was cancelled before ffmpeg started.'));

  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-nostats', '-progress', 'pipe:1', ...request.args];
  let child: ChildProcess;
  try {
    child = spawn(request.ffmpegPath, args, { cwd: request.cwd, env: request.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  } catch (error) {
    return Promise.resolve(fail('spawn_failed', `ffmpeg could not be started from ${request.ffmpegPath}: ${(error as Error).message}. Check it with the node's doctor command.`));
  }

  return new Promise<FfmpegRunResult>((resolve) => {
    let stopped: { reason: FfmpegFailureReason; message: string } | null = null;
    let settled = false;
    let spawnError: Error | null = null;
    let exitGrace: NodeJS.Timeout | null = null;
    const doneSoFar = () => (framesTotal > 0 ? `after ${framesDone} of ${framesTotal} frames` : `after ${framesDone} frames`);

    const stop = (reason: FfmpegFailureReason, message: string) => {
      if (stopped || settled) return;
      stopped = { reason, message };
      child.kill('SIGKILL');
      exitGrace = setTimeout(() => finish(null, null), EXIT_GRACE_MS);
    };
    const quietMs = request.quietTimeoutMs ?? DEFAULT_QUIET_TIMEOUT_MS;
    const quietTimer = setTimeout(() => stop('quiet_timeout',
      `ffmpeg reported no progress for ${Math.round(quietMs / 1000)} s ${doneSoFar()}, so the encode was stopped. The disk may be full or a frame file unreadable; see its last lines.`),
    Math.min(quietMs, MAX_TIMER_MS));
    const onAbort = () => stop('cancelled', `The encode was cancelled ${doneSoFar()}; ffmpeg was stopped.`);
    signal?.addEventListener('abort', onAbort, { once: true });

    const parser = new FfmpegProgressParser((block) => {
      quietTimer.refresh();
      const frame = Number.parseInt(block.get('frame') ?? '', 10);
      if (Number.isFinite(frame)) framesDone = Math.max(framesDone, frame);
      const speed = Number.parseFloat((block.get('speed') ?? '').replace(/x$/, ''));
      onProgress?.({ framesDone, framesTotal, speed: Number.isFinite(speed) ? speed : null });
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => parser.push(chunk));
    let stderrPending = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (stderrPending + chunk).split(/\r?\n/);
      stderrPending = lines.pop() ?? '';
      for (const line of lines) keep(line);
    });
    const keep = (line: string) => {
      if (line.trim() === '') return;
      lastLines.push(line.slice(0, 1000));
      if (lastLines.length > STDERR_LINES) lastLines.shift();
    };

    const finish = (code: number | null, exitSignal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(quietTimer);
      if (exitGrace) clearTimeout(exitGrace);
      signal?.removeEventListener('abort', onAbort);
      keep(stderrPending);
      if (stopped) return resolve(fail(stopped.reason, stopped.message));
      if (spawnError) return resolve(fail('spawn_failed', `ffmpeg could not be started from ${request.ffmpegPath}: ${spawnError.message}. Check it with the node's doctor command.`));
      if (code !== 0) {
        const how = exitSignal ? `was killed by signal ${exitSignal}` : `exited with code ${code}`;
        const last = lastLines.at(-1);
        return resolve(fail('exit_code', `ffmpeg ${how} ${doneSoFar()}${last ? `: ${last}` : ''}. The deliverable was not written; see ffmpeg's last lines.`));
      }
      resolve({ ok: true, framesDone, wallMs: Date.now() - started });
    };
    child.on('error', (error) => {
      spawnError = error;
      // 'close' does not follow an 'error' for a process that never started.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', (code, exitSignal) => finish(code, exitSignal));
  });
}
