import { AckCode, isTerminalJobState, type Ack, type ChunkPreview, type JobPreview } from '@cloudexport/shared';
import type { Deps } from '../api/deps.js';
import type { Clock } from '../clock.js';
import { ChunkEntity } from '../db/entities/index.js';
import { fencingRefusal } from '../fleet/fencing.js';
import type { EventBus } from './event-bus.js';

export interface PreviewHubOptions {
  clock: Clock;
  /** A job's preview is dropped when the bus reports the job ended. */
  bus: EventBus;
  /** A preview not replaced for this long is dropped (a stuck or forgotten job). Default 10 minutes. */
  idleTtlMs?: number;
  /** Most jobs with a preview kept at once (each ≤ 192 KiB); the longest idle goes first. Default 1000. */
  maxJobs?: number;
}

/** A job's latest preview: what live clients get, and the JPEG bytes the REST route serves. */
export interface StoredPreview {
  preview: JobPreview;
  jpeg: Buffer;
  /** Clock milliseconds when it arrived. */
  at: number;
}

/** Delivers one preview to a subscriber; `done` once it acknowledged it or gave up waiting. */
export type PreviewSend = (preview: JobPreview, done: () => void) => void;

/** What a subscriber's outbox did (tests and diagnostics). */
export interface OutboxStats {
  /** Previews sent and not yet acknowledged, plus those waiting. */
  queued: number;
  /** The most `queued` ever was. */
  peak: number;
  sent: number;
  /** Waiting previews a newer one of the same job replaced: what a slow subscriber did not get. */
  replaced: number;
}

/**
 * The latest preview of each running job, in memory only (a preview is worth seconds), and one
 * outbox per live subscriber. The REST route reads the latest; the live gateway fans new ones
 * out through the outboxes. With several coordinators, a preview lives on the one its node is
 * connected to.
 */
export class PreviewHub {
  // insertion order is recency: put() moves a job to the end, so the idlest come first
  private readonly latestByJob = new Map<string, StoredPreview>();
  private readonly listeners = new Set<(preview: JobPreview) => void>();
  private readonly outboxes = new Map<string, PreviewOutbox>();
  private readonly clock: Clock;
  private readonly idleTtlMs: number;
  private readonly maxJobs: number;

  constructor(options: PreviewHubOptions) {
    this.clock = options.clock;
    this.idleTtlMs = options.idleTtlMs ?? 10 * 60_000;
    this.maxJobs = options.maxJobs ?? 1_000;
    if (this.idleTtlMs <= 0 || this.maxJobs < 1) throw new Error('PreviewHub: idleTtlMs and maxJobs must be positive.');
    options.bus.on('job', (job) => {
      if (isTerminalJobState(job.state)) this.drop(job.id);
    });
  }

  /** Keeps `preview` as its job's latest and hands it to the listeners; false when `jpeg` is not a JPEG. */
  put(jobId: string, preview: ChunkPreview): boolean {
    const jpeg = Buffer.from(preview.jpeg, 'base64');
    // served as image/jpeg to browsers: whatever else an agent sends is refused
    if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff) return false;
    const now = this.clock.now();
    const stored: StoredPreview = {
      preview: { jobId, chunkId: preview.chunkId, frame: preview.frame, width: preview.width, height: preview.height, jpeg: preview.jpeg, receivedAt: now.toISOString(), renderedAt: preview.renderedAt ?? null },
      jpeg,
      at: now.getTime(),
    };
    this.latestByJob.delete(jobId);
    this.latestByJob.set(jobId, stored);
    this.evict(now.getTime());
    for (const listener of this.listeners) listener(stored.preview);
    return true;
  }

  /** The job's latest preview, or null when none came, it went idle, or the job ended. */
  latest(jobId: string): StoredPreview | null {
    const stored = this.latestByJob.get(jobId);
    if (!stored) return null;
    if (this.clock.now().getTime() - stored.at > this.idleTtlMs) {
      this.drop(jobId);
      return null;
    }
    return stored;
  }

  /** Forgets the job's preview, and any of it still waiting in an outbox. */
  drop(jobId: string): void {
    this.latestByJob.delete(jobId);
    for (const outbox of this.outboxes.values()) outbox.forget(jobId);
  }

  /** Calls `listener` with each new preview; returns the unsubscribe. */
  onPreview(listener: (preview: JobPreview) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The subscriber's outbox, made with `send` on first use. */
  outbox(subscriberId: string, send: PreviewSend): PreviewOutbox {
    let outbox = this.outboxes.get(subscriberId);
    if (!outbox) {
      outbox = new PreviewOutbox(send);
      this.outboxes.set(subscriberId, outbox);
    }
    return outbox;
  }

  /** The subscriber left: nothing more goes out to it. */
  closeOutbox(subscriberId: string): void {
    this.outboxes.get(subscriberId)?.close();
    this.outboxes.delete(subscriberId);
  }

  stats(subscriberId: string): OutboxStats | null {
    return this.outboxes.get(subscriberId)?.stats() ?? null;
  }

  private evict(now: number): void {
    for (const [jobId, stored] of this.latestByJob) {
      if (now - stored.at <= this.idleTtlMs && this.latestByJob.size <= this.maxJobs) break;
      this.drop(jobId);
    }
  }
}

/**
 * One subscriber's previews: one on the wire until the subscriber acknowledges it, and per job
 * at most one waiting, which a newer preview of that job replaces. Socket.IO would otherwise
 * buffer every emit for a client that stops reading (its volatile flag only drops while the
 * transport is mid-write, after the kernel has taken megabytes), so the ack is the flow control.
 */
export class PreviewOutbox {
  private inFlight = false;
  private closed = false;
  private readonly waiting = new Map<string, JobPreview>();
  private peak = 0;
  private sent = 0;
  private replaced = 0;

  constructor(private readonly send: PreviewSend) {}

  offer(preview: JobPreview): void {
    if (this.closed) return;
    if (!this.inFlight) return this.transmit(preview);
    if (this.waiting.delete(preview.jobId)) this.replaced += 1;
    this.waiting.set(preview.jobId, preview);
    this.peak = Math.max(this.peak, this.queued);
  }

  /** Drops the job's waiting preview (unsubscribed, or the job ended). */
  forget(jobId: string): void {
    this.waiting.delete(jobId);
  }

  close(): void {
    this.closed = true;
    this.waiting.clear();
  }

  stats(): OutboxStats {
    return { queued: this.queued, peak: this.peak, sent: this.sent, replaced: this.replaced };
  }

  private get queued(): number {
    return (this.inFlight ? 1 : 0) + this.waiting.size;
  }

  private transmit(preview: JobPreview): void {
    this.inFlight = true;
    this.sent += 1;
    this.peak = Math.max(this.peak, this.queued);
    let finished = false;
    this.send(preview, () => {
      if (finished) return;
      finished = true;
      this.inFlight = false;
      if (this.closed) return;
      // the job that has waited longest goes next
      const [next] = this.waiting.values();
      if (next) {
        this.waiting.delete(next.jobId);
        this.transmit(next);
      }
    });
  }
}

/**
 * chunk:preview from an agent: kept only when the node holds the chunk under that epoch, the
 * rule every chunk message obeys, so a node that lost its chunk cannot show stale frames.
 */
export async function acceptPreview(deps: Deps, nodeId: string, preview: ChunkPreview): Promise<Ack> {
  const chunk = await deps.orm.em.fork().findOne(ChunkEntity, { id: preview.chunkId }, { fields: ['jobId', 'nodeId', 'epoch', 'state'] });
  const refusal = fencingRefusal(chunk, nodeId, preview);
  if (refusal) return refusal;
  if (!deps.previews.put(chunk!.jobId, preview)) return { ok: false, code: AckCode.invalid, message: 'Invalid chunk:preview: jpeg is not a JPEG image (it must start with FF D8 FF).' };
  return { ok: true };
}
