// One chunk, from assignment to its last byte uploaded:
//   DOWNLOADING  the project source puts the project in the chunk's work folder
//   RENDERING    the engine renders the frame range (or the comp's sound) and validates it
//   UPLOADING    the files are sealed under a fresh key, announced (output:begin) and PUT
// An assemble chunk goes its own way (run-assembly.ts) and ends the same way, in one upload.
// The caller reports the outcome (chunk:done / chunk:failed) and removes the work folder.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ChunkKind, newContentKey, type AssemblyTicket, type ChunkAssignment, type ChunkPreview, type ChunkProgress, type FailureReason, type OutputBegin, type OutputUploads } from '@cloudexport/shared';
import type { Logger } from 'pino';
import { sealOutputs, uploadOutputs, type SealedOutput, type UploadOptions } from '../bundle/output-upload.js';
import type { BundleOpenAnswer, ProjectSource } from './project-source.js';
import { startPreviews } from './preview-sender.js';
import { runAssembly } from './run-assembly.js';
import type { RenderEngine } from './render-engine.js';

/** The coordinator's answer to assembly:open, already validated. */
export type AssemblyOpenAnswer = { ok: true; ticket: AssemblyTicket } | { ok: false; message: string };

/** The coordinator's answer to output:begin, already validated. */
export type OutputBeginAnswer = { ok: true; uploads: OutputUploads['uploads'] } | { ok: false; message: string };

/** How a chunk talks to the coordinator; the agent implements it over its socket. */
export interface ChunkChannel {
  progress(state: ChunkProgress['state'], framesDone: number, lastFrame: number | null): void;
  warning(message: string): void;
  openBundle(): Promise<BundleOpenAnswer>;
  beginOutputs(begin: Pick<OutputBegin, 'key' | 'files'>): Promise<OutputBeginAnswer>;
  /** The frames and sound an assemble chunk encodes. */
  openAssembly(): Promise<AssemblyOpenAnswer>;
  /** A small JPEG of the latest finished frame: best effort, resolved on the coordinator's answer or null. */
  preview(preview: Omit<ChunkPreview, 'chunkId' | 'epoch'>): Promise<unknown>;
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
  /** What an assemble chunk needs: the node's box key (to open the frames' keys) and its ffmpeg. */
  assembly?: AssemblyTools;
  /** Live previews while rendering: ffmpeg makes the JPEGs; absent, none are sent. */
  previews?: { ffmpegPath: string; intervalMs?: number };
}

export interface AssemblyTools {
  boxSecretKey: Uint8Array;
  /** This node's ffmpeg, or null (it can then assemble only image sequences). */
  ffmpeg: { path: string; encoders: readonly string[] } | null;
}

export const STOPPED: ChunkOutcome = { kind: 'stopped' };

export function failed(reason: FailureReason, message: string, lastLines: string[] = []): ChunkOutcome {
  return { kind: 'failed', reason, message: message.slice(0, 4000), lastLines };
}

/** Calls `report` for byte progress at most once per `intervalMs`, and always for the last byte. */
export function throttled(intervalMs: number, report: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < intervalMs) return;
    last = now;
    report(done, total);
  };
}

export const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;

export async function runChunk(a: ChunkAssignment, chunkDir: string, options: ChunkRunnerOptions, channel: ChunkChannel, signal: AbortSignal): Promise<ChunkOutcome> {
  if (a.kind === ChunkKind.assemble) return runAssembly(a, chunkDir, options, channel, signal);
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
    log.info({ kind: a.kind, depth: a.kind === ChunkKind.frames ? a.frameDepth : undefined }, 'rendering');
    const outputDir = join(chunkDir, 'frames');
    const previews =
      options.previews && a.kind === ChunkKind.frames
        ? startPreviews({ outputDir, ffmpegPath: options.previews.ffmpegPath, intervalMs: options.previews.intervalMs, send: (p) => channel.preview(p), log, signal })
        : null;
    const outcome = await engine
      .render(
        {
          projectPath: project.projectPath,
          comp: a.comp,
          frameStart: a.frameStart,
          frameEnd: a.frameEnd,
          outputDir,
          output: a.kind === ChunkKind.audio ? { kind: 'audio' } : { kind: 'frames', depth: a.frameDepth },
        },
        {
          onProgress: (framesDone, lastFrame) => channel.progress('RENDERING', framesDone, lastFrame),
          onWarning: (message) => channel.warning(message.slice(0, 2000)),
        },
        signal,
      )
      .finally(() => previews?.stop());
    if (signal.aborted) return STOPPED;
    if (!outcome.ok) {
      log.warn({ reason: outcome.reason, message: outcome.message }, 'render failed');
      return failed(outcome.reason, outcome.message, outcome.lastLines);
    }
    if (outcome.files.length === 0) return failed('missing_frames', 'The render reported success but wrote no frame files.');
    return await upload(a, outcome.files, outcome.frames, chunkDir, options, channel, signal);
  } finally {
    project.release();
  }
}

/** UPLOADING: seals and sends the chunk's files, then it is done with `frames` frames. */
export async function upload(a: ChunkAssignment, files: string[], frames: number, chunkDir: string, options: ChunkRunnerOptions, channel: ChunkChannel, signal: AbortSignal): Promise<ChunkOutcome> {
  channel.progress('UPLOADING', frames, a.frameEnd);
  const uploaded = await sendOutputs(files, chunkDir, options, channel, signal, (done, total) => {
    options.log.info({ state: 'UPLOADING', bytes: done, totalBytes: total, mib: mib(done), ofMib: mib(total) }, `uploading the ${a.kind === ChunkKind.frames ? 'frames' : a.kind === ChunkKind.audio ? 'audio' : 'deliverable'}`);
    channel.progress('UPLOADING', frames, a.frameEnd);
  });
  if (signal.aborted) return STOPPED;
  return uploaded ?? { kind: 'done', frames };
}

/** Seals, announces and uploads the files; null when all went up, else the failure. */
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
