import type { ChunkProgress } from '@cloudexport/shared';
import type { Logger } from 'pino';

type Emit = (event: 'chunk:progress' | 'chunk:warning' | 'chunk:done' | 'chunk:failed', payload: unknown) => Promise<unknown>;

interface Pending {
  event: 'chunk:progress' | 'chunk:warning' | 'chunk:done' | 'chunk:failed';
  payload: unknown;
}

/**
 * Chunk reports survive a coordinator outage: undelivered ones wait here and go out, in order,
 * after the next hello. Progress keeps only the newest report per chunk. A refusal (stale
 * epoch) is final: the chunk belongs to another node now.
 */
export class Outbox {
  private readonly queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly emit: Emit,
    private readonly log: Logger,
  ) {}

  progress(p: ChunkProgress): void {
    const i = this.queue.findIndex((q) => q.event === 'chunk:progress' && (q.payload as ChunkProgress).chunkId === p.chunkId);
    if (i >= 0) this.queue.splice(i, 1);
    void this.send('chunk:progress', p);
  }

  async send(event: Pending['event'], payload: unknown): Promise<void> {
    this.queue.push({ event, payload });
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const next = this.queue[0]!;
        const answer = (await this.emit(next.event, next.payload)) as { ok: boolean; code?: string; message?: string } | null;
        if (answer === null) return; // not connected: keep it for the next connection
        this.queue.shift();
        if (!answer.ok) this.log.warn({ event: next.event, code: answer.code, message: answer.message }, 'the coordinator refused a report');
      }
    } finally {
      this.flushing = false;
    }
  }
}
