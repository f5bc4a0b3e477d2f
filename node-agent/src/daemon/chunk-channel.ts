// What a chunk runner is given and what it answers: the chunk's line to the coordinator (the agent
// implements it over its socket), the runner's options, and the outcome the agent reports.
import type { AssemblyTicket, ChunkPreview, ChunkProgress, FailureReason, OutputBegin, OutputUploads } from '@cloudexport/shared';
import type { Logger } from 'pino';
import type { UploadOptions } from '../bundle/output-upload.js';
import type { BundleOpenAnswer, ProjectSource } from './project-source.js';
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
