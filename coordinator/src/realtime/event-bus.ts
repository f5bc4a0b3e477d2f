import { EventEmitter } from 'node:events';
import type { Chunk, Job, LiveWarning, RenderNode } from '@cloudexport/shared';

/** A chunk's frame count moved; the live gateway adds the job's total for its watchers. */
export interface ChunkProgressEvent {
  jobId: string;
  chunkId: string;
  /** The node rendering it: its owner sees the chunk's count move on. */
  nodeId: string;
  chunkFramesDone: number;
  lastFrame: number | null;
}

/** What happened, after it committed; the live gateway and the dispatcher listen. */
export interface BusEvents {
  job: [Job];
  chunk: [Chunk];
  chunkProgress: [ChunkProgressEvent];
  warning: [LiveWarning];
  node: [RenderNode];
  /** A node must drop a chunk (cancelled, reassigned, job over). */
  revoke: [{ nodeId: string; chunkId: string; epoch: number; reason: string }];
  /** A node must change state (drain, disable, enable). */
  nodeCommand: [{ nodeId: string; state: 'online' | 'draining' | 'disabled'; /** Its keys were revoked: its connection is closed too. */ revoked?: boolean }];
  /** There may be work to hand out. */
  work: [];
}

export class EventBus extends EventEmitter<BusEvents> {
  constructor() {
    super();
    this.setMaxListeners(100);
  }
}
