import { z } from 'zod';
import type { AssemblyOpen, AssemblyTicket, ChunkPreview } from './assembly-events.js';
import { chunkKindSchema } from '../states/chunk-kind.js';
import { deliverableSpecSchema, frameDepthSchema } from './assembly-events.js';
import type { BundleOpen, BundleTicket, OutputBegin, OutputUploads } from './bundle-events.js';
import { machineReportSchema } from './machine-report.js';

// Coordinator ↔ node agent, on the /agents namespace. Every payload is declared once here and
// validated by the side that receives it. Chunk messages carry the assignment's epoch: the
// coordinator refuses any whose epoch is not the chunk's current one (fencing).

const chunkRef = { chunkId: z.uuid(), epoch: z.number().int().min(1) };

export const runningChunkSchema = z.object({ ...chunkRef, framesDone: z.number().int().min(0) }).strict();

export const helloSchema = z
  .object({
    machine: machineReportSchema,
    /** Chunks the agent is still working on, e.g. after a coordinator outage. */
    running: z.array(runningChunkSchema).max(64),
    /** Bundles whose files are in the node's cache, newest first: the scheduler prefers such a node. */
    cachedBundles: z.array(z.uuid()).max(50).default([]),
  })
  .strict();
export type Hello = z.infer<typeof helloSchema>;

export const heartbeatSchema = z
  .object({
    running: z.array(runningChunkSchema).max(64),
    gpuUtilization: z.number().min(0).max(100).nullable().optional(),
    /** Sent when the cache changed since the last report (see hello). */
    cachedBundles: z.array(z.uuid()).max(50).optional(),
  })
  .strict();
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const chunkProgressSchema = z
  .object({
    ...chunkRef,
    state: z.enum(['DOWNLOADING', 'RENDERING', 'UPLOADING']),
    framesDone: z.number().int().min(0).max(10_000_000),
    lastFrame: z.number().int().min(0).max(100_000_000).nullable(),
  })
  .strict();
export type ChunkProgress = z.infer<typeof chunkProgressSchema>;

export const chunkWarningSchema = z.object({ ...chunkRef, message: z.string().min(1).max(2000) }).strict();
export type ChunkWarning = z.infer<typeof chunkWarningSchema>;

export const chunkDoneSchema = z.object({ ...chunkRef, frames: z.number().int().min(1).max(10_000_000) }).strict();
export type ChunkDone = z.infer<typeof chunkDoneSchema>;

export const FailureReason = {
  aerenderError: 'aerender_error',
  exitCode: 'exit_code',
  quietTimeout: 'quiet_timeout',
  totalTimeout: 'total_timeout',
  missingFrames: 'missing_frames',
  cancelled: 'cancelled',
  spawnFailed: 'spawn_failed',
  bundle: 'bundle',
  noEngine: 'no_engine',
  /** ffmpeg failed or is missing (assembly). */
  ffmpeg: 'ffmpeg',
  /** The deliverable failed its ffprobe check: the same encode fails anywhere, so the job fails. */
  verification: 'verification',
  internal: 'internal',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

export const chunkFailedSchema = z
  .object({
    ...chunkRef,
    reason: z.enum(Object.values(FailureReason) as [FailureReason, ...FailureReason[]]),
    message: z.string().min(1).max(4000),
    lastLines: z.array(z.string().max(1000)).max(50).default([]),
  })
  .strict();
export type ChunkFailed = z.infer<typeof chunkFailedSchema>;

/** The work a node is handed. */
export const chunkAssignmentSchema = z.object({
  ...chunkRef,
  jobId: z.uuid(),
  index: z.number().int(),
  comp: z.string(),
  fps: z.number(),
  frameStart: z.number().int(),
  frameEnd: z.number().int(),
  bundle: z.string().nullable(),
  leaseMs: z.number().int(),
  kind: chunkKindSchema.default('frames'),
  /** Bits per channel of the frames to render (frames chunks). */
  frameDepth: frameDepthSchema.default(8),
  /** What to make (assemble chunks only). */
  deliverable: deliverableSpecSchema.nullable().default(null),
});
export type ChunkAssignment = z.infer<typeof chunkAssignmentSchema>;

export const NodeCommand = { online: 'online', draining: 'draining', disabled: 'disabled' } as const;
export type NodeCommand = (typeof NodeCommand)[keyof typeof NodeCommand];

/** Every acknowledgement: ok, or refused with a reason the agent can act on. */
export type Ack = { ok: true } | { ok: false; code: AckCode; message: string };
export const AckCode = {
  invalid: 'invalid',
  staleEpoch: 'stale_epoch',
  notYours: 'not_yours',
  disabled: 'disabled',
  internal: 'internal',
} as const;
export type AckCode = (typeof AckCode)[keyof typeof AckCode];

export interface HelloAck {
  nodeId: string;
  state: string;
  tierId: string | null;
  heartbeatIntervalMs: number;
  leaseMs: number;
  /** Running chunks the coordinator no longer gives this node: stop them. */
  cancel: string[];
}

export interface HeartbeatAck {
  cancel: string[];
}

/** Agent → coordinator. */
export interface AgentToCoordinatorEvents {
  hello(payload: Hello, ack: (answer: HelloAck | Extract<Ack, { ok: false }>) => void): void;
  heartbeat(payload: Heartbeat, ack: (answer: HeartbeatAck | Extract<Ack, { ok: false }>) => void): void;
  'chunk:progress'(payload: ChunkProgress, ack: (answer: Ack) => void): void;
  'chunk:warning'(payload: ChunkWarning, ack: (answer: Ack) => void): void;
  'chunk:done'(payload: ChunkDone, ack: (answer: Ack) => void): void;
  'chunk:failed'(payload: ChunkFailed, ack: (answer: Ack) => void): void;
  'bundle:open'(payload: BundleOpen, ack: (answer: { ok: true; ticket: BundleTicket } | Extract<Ack, { ok: false }>) => void): void;
  'assembly:open'(payload: AssemblyOpen, ack: (answer: { ok: true; ticket: AssemblyTicket } | Extract<Ack, { ok: false }>) => void): void;
  'chunk:preview'(payload: ChunkPreview, ack: (answer: Ack) => void): void;
  'output:begin'(payload: OutputBegin, ack: (answer: ({ ok: true } & OutputUploads) | Extract<Ack, { ok: false }>) => void): void;
}

/** Coordinator → agent. */
export interface CoordinatorToAgentEvents {
  'chunk:assign'(assignment: ChunkAssignment, ack: (answer: { accepted: boolean; reason?: string }) => void): void;
  'chunk:cancel'(payload: { chunkId: string; epoch: number; reason: string }): void;
  'node:state'(payload: { state: NodeCommand }): void;
}
