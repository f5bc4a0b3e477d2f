import { z } from 'zod';
import type { Chunk, Job } from '../api/jobs.js';
import type { RenderNode } from '../api/nodes.js';
import type { Ack } from './agent-events.js';

/**
 * Socket.IO namespace the console and the panel watch on: artists their jobs, providers their
 * own nodes, admins any job and the whole fleet. Auth: `{ key }` (an API key), or no auth and the
 * web console's session cookie (same-origin only). Subscriptions:
 * - `{ jobId }`: one job's `job`, `chunk`, `progress`, `warning` and `job:preview` (its owner, admins);
 * - `{ myJobs: true }`: `job` and `progress` of every job of the caller's, jobs submitted later too;
 * - `{ fleet: true }`: admins every `node`, `job` and `progress`; providers `node` and `progress`
 *   of their own nodes, where whose job a node renders is blanked (see FrameProgress).
 */
export const LIVE_NAMESPACE = '/live';

export const liveAuthSchema = z.object({ key: z.string().min(1).max(200) }).strict();

export const subscriptionSchema = z.union([
  z.object({ jobId: z.uuid() }).strict(),
  z.object({ myJobs: z.literal(true) }).strict(),
  z.object({ fleet: z.literal(true) }).strict(),
]);
export type Subscription = z.infer<typeof subscriptionSchema>;

/**
 * A chunk's frame count moved on. To a provider watching their nodes, the job's own figures
 * (`jobFramesDone`, `framesTotal`) are 0: the chunk's count is theirs, the job's progress is not.
 */
export interface FrameProgress {
  jobId: string;
  chunkId: string;
  chunkFramesDone: number;
  jobFramesDone: number;
  framesTotal: number;
  lastFrame: number | null;
}

export interface LiveWarning {
  jobId: string;
  chunkId: string;
  nodeId: string;
  message: string;
}

/**
 * The latest finished frame of a running job, as a small JPEG (at most 320 px wide as agents
 * make it). Only the job's owner and admins get it. The client must call the ack once it has
 * taken a preview: the coordinator sends the next only after that (or after a timeout), and in
 * the meantime keeps just the newest per job, so a slow client gets fewer previews, never a backlog.
 */
export interface JobPreview {
  jobId: string;
  chunkId: string;
  /** The comp frame number the picture shows. */
  frame: number;
  width: number;
  height: number;
  /** Base64 of the JPEG: `data:image/jpeg;base64,${jpeg}` shows it. */
  jpeg: string;
  /** When the coordinator received it (ISO 8601). */
  receivedAt: string;
  /**
   * When the rendering node learned the frame was finished (ISO 8601, by the node's clock, so
   * only roughly comparable with receivedAt); null from agents too old to say.
   */
  renderedAt: string | null;
}

/** Client → coordinator. */
export interface LiveClientEvents {
  subscribe(sub: Subscription, ack: (answer: Ack) => void): void;
  unsubscribe(sub: Subscription, ack: (answer: Ack) => void): void;
}

/** Coordinator → client: state changes and per-frame progress of what it subscribed to. */
export interface LiveServerEvents {
  job(job: Job): void;
  chunk(chunk: Chunk): void;
  progress(progress: FrameProgress): void;
  warning(warning: LiveWarning): void;
  node(node: RenderNode): void;
  'job:preview'(preview: JobPreview, ack: () => void): void;
}
