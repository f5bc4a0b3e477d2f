// One chunk, from assignment to its last byte uploaded:
//   DOWNLOADING  the project source puts the project in the chunk's work folder
//   RENDERING    the engine renders the frame range and validates the frames
//   UPLOADING    the frames are sealed under a fresh key, announced (output:begin) and PUT
// The caller reports the outcome (chunk:done / chunk:failed) and removes the work folder.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { newContentKey, type ChunkAssignment, type ChunkProgress, type FailureReason, type OutputBegin, type OutputUploads } from '@cloudexport/shared';
import type { Logger } from 'pino';
import { sealOutputs, uploadOutputs, type SealedOutput, type UploadOptions } from '../bundle/output-upload.js';
import type { BundleOpenAnswer, ProjectSource } from './project-source.js';
import type { RenderEngine } from './render-engine.js';

/** The coordinator's answer to output:begin, already validated. */
export type OutputBeginAnswer = { ok: true; uploads: OutputUploads['uploads'] } | { ok: false; message: string };

/** How a chunk talks to the coordinator; the agent implements it over its socket. */
export interface ChunkChannel {
  progress(state: ChunkProgress['state'], framesDone: number, lastFrame: number | null): void;
  warning(message: string): void;
  openBundle(): Promise<BundleOpenAnswer>;
  beginOutputs(begin: Pick<OutputBegin, 'key' | 'files'>): Promise<OutputBeginAnswer>;
}

export type ChunkOutcome =
  | { kind: 'done'; frames: number }
  | { kind: 'failed'; reason: FailureReason; message: string; lastLines: string[] }
  /** Taken back, or the agent is stopping: nothing to report. */
  | { kind: 'stopped' };

export interface ChunkRunnerOptions {
  projects: ProjectSource;
  engine: RenderEngine;
  log: Logger;
  /** Upload parallelism and retries; defaults 4 at once, 4 tries. */
  upload?: Omit<UploadOptions, 'signal' | 'onBytes'>;
  /** At most one byte-progress report (log line and lease-renewing chunk progress) per this many ms. Default 2000. */
  progressIntervalMs?: number;
}

const STOPPED: ChunkOutcome = { kind: 'stopped' };

function failed(reason: FailureReason, message: string, lastLines: string[] = []): ChunkOutcome {
  return { kind: 'failed', reason, message: message.slice(0, 4000), lastLines };
}

/** Calls `report` for byte progress at most once per `intervalMs`, and always for the last byte. */
function throttled(intervalMs: number, report: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < intervalMs) return;
    last = now;
    report(done, total);
  };
}

const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;

export async function runChunk(a: ChunkAssignment, chunkDir: string, options: ChunkRunnerOptions, channel: ChunkChannel, signal: AbortSignal): Promise<ChunkOutcome> {
  const { log, engine } = options;
  const interval = options.progressIntervalMs ?? 2_000;
  await mkdir(chunkDir, { recursive: true });
  channel.progress('DOWNLOADING', 0, null);
  const project = await options.projects.prepare({
    assignment: a,
    chunkDir,
    signal,
    log,
    openBundle: () => channel.openBundle(),
    onWarning: (message) => channel.warning(message),
    onDownload: throttled(interval, (done, total) => {
      log.info({ state: 'DOWNLOADING', bytes: done, totalBytes: total, mib: mib(done), ofMib: mib(total) }, 'downloading the bundle');
      channel.progress('DOWNLOADING', 0, null);
    }),
  });
  if ('error' in project) return signal.aborted ? STOPPED : failed('bundle', project.error);
  try {
    if (signal.aborted) return STOPPED;
    channel.progress('RENDERING', 0, null);
    log.info('rendering');
    const outcome = await engine.render(
      { projectPath: project.projectPath, comp: a.comp, frameStart: a.frameStart, frameEnd: a.frameEnd, outputDir: join(chunkDir, 'frames') },
      {
        onProgress: (framesDone, lastFrame) => channel.progress('RENDERING', framesDone, lastFrame),
        onWarning: (message) => channel.warning(message.slice(0, 2000)),
      },
      signal,
    );
    if (signal.aborted) return STOPPED;
    if (!outcome.ok) {
      log.warn({ reason: outcome.reason, message: outcome.message }, 'render failed');
      return failed(outcome.reason, outcome.message, outcome.lastLines);
    }
    if (outcome.files.length === 0) return failed('missing_frames', 'The render reported success but wrote no frame files.');
    channel.progress('UPLOADING', outcome.frames, a.frameEnd);
    const uploaded = await sendOutputs(outcome.files, chunkDir, options, channel, signal, (done, total) => {
      log.info({ state: 'UPLOADING', bytes: done, totalBytes: total, mib: mib(done), ofMib: mib(total) }, 'uploading the frames');
      channel.progress('UPLOADING', outcome.frames, a.frameEnd);
    });
    if (signal.aborted) return STOPPED;
    if (uploaded) return uploaded;
    return { kind: 'done', frames: outcome.frames };
  } finally {
    project.release();
  }
}

/** Seals, announces and uploads the frames; null when all went up, else the failure. */
async function sendOutputs(
  files: string[],
  chunkDir: string,
  options: ChunkRunnerOptions,
  channel: ChunkChannel,
  signal: AbortSignal,
  report: (done: number, total: number) => void,
): Promise<ChunkOutcome | null> {
  const key = newContentKey();
  try {
    let sealed: SealedOutput[];
    try {
      sealed = await sealOutputs(files, join(chunkDir, 'sealed'), key, { signal });
    } catch (err) {
      return failed('internal', `Sealing the rendered frames failed: ${(err as Error).message}`);
    }
    const answer = await channel.beginOutputs({
      key: Buffer.from(key).toString('base64'),
      files: sealed.map(({ name, size, sha256, sealedSize }) => ({ name, size, sha256, sealedSize })),
    });
    if (!answer.ok) return failed('internal', `The coordinator would not take the rendered frames: ${answer.message}`);
    const total = sealed.reduce((sum, s) => sum + s.sealedSize, 0);
    let done = 0;
    const progress = throttled(options.progressIntervalMs ?? 2_000, report);
    progress(0, total);
    try {
      await uploadOutputs(sealed, answer.uploads, {
        ...options.upload,
        signal,
        onBytes: (n) => {
          done += n;
          progress(done, total);
        },
      });
    } catch (err) {
      return failed('internal', `Uploading the rendered frames failed: ${(err as Error).message}`);
    }
    options.log.info({ files: sealed.length, mib: mib(total) }, 'frames uploaded');
    return null;
  } finally {
    key.fill(0);
  }
}
