import type { BundleTicket, ChunkAssignment } from '@cloudexport/shared';
import type { Logger } from 'pino';

/** The coordinator's answer to bundle:open, already validated: a ticket, or why not. */
export type BundleOpenAnswer = { ok: true; ticket: BundleTicket } | { ok: false; message: string };

/** What a project source gets for one chunk. */
export interface PrepareContext {
  assignment: ChunkAssignment;
  /** The chunk's own work folder (removed when the chunk ends). */
  chunkDir: string;
  /** Aborted when the chunk is taken back or the agent stops. */
  signal: AbortSignal;
  /** Asks the coordinator for the chunk's bundle ticket (bundle:open). */
  openBundle(): Promise<BundleOpenAnswer>;
  /** Bytes fetched so far of `bytesTotal` to fetch. */
  onDownload(bytesDone: number, bytesTotal: number): void;
  onWarning(message: string): void;
  log: Logger;
}

export interface PreparedProject {
  projectPath: string;
  /** Called once the chunk ends: whatever the source holds for it (cache pins) is let go. */
  release(): void;
}

/** Where a chunk's project comes from. */
export interface ProjectSource {
  /** Puts the chunk's project on this machine, or says why it cannot. */
  prepare(ctx: PrepareContext): Promise<PreparedProject | { error: string }>;
}
