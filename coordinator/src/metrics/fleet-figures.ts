import type { MikroORM } from '@mikro-orm/postgresql';
import { CONNECTED_WITHIN_MS } from '../api/dto.js';

/** The fleet right now, as the charts and Prometheus show it. */
export interface FleetFigures {
  /** Connected (heartbeat within CONNECTED_WITHIN_MS), not disabled, not revoked. */
  nodesOnline: number;
  /** Of those, the ones holding a chunk. */
  nodesBusy: number;
  /** Chunks waiting for a node. */
  queueDepth: number;
  /** Jobs with chunks at work or being assembled. */
  jobsRunning: number;
}

const RUNNING_JOB_STATES = ['DOWNLOADING', 'RENDERING', 'UPLOADING', 'ASSEMBLING'];

/**
 * One round trip of counts. The queue count is an index-only scan of chunks_queued_index and
 * the job count uses the (state, priority, created_at) index; nodes are few.
 */
export async function readFleetFigures(orm: MikroORM, now: Date): Promise<FleetFigures> {
  const since = new Date(now.getTime() - CONNECTED_WITHIN_MS);
  const rows = await orm.em.getConnection().execute<{ nodes_online: string; nodes_busy: string; queue_depth: string; jobs_running: string }[]>(
    `select
       (select count(*) from nodes where state not in ('offline', 'disabled') and revoked_at is null and last_heartbeat_at > ?) as nodes_online,
       (select count(*) from nodes where current_chunk_id is not null and state not in ('offline', 'disabled') and revoked_at is null and last_heartbeat_at > ?) as nodes_busy,
       (select count(*) from chunks where state = 'QUEUED') as queue_depth,
       (select count(*) from jobs where state in (${RUNNING_JOB_STATES.map(() => '?').join(', ')})) as jobs_running`,
    [since, since, ...RUNNING_JOB_STATES],
  );
  const row = rows[0]!;
  return { nodesOnline: Number(row.nodes_online), nodesBusy: Number(row.nodes_busy), queueDepth: Number(row.queue_depth), jobsRunning: Number(row.jobs_running) };
}

/** Frames of frame chunks whose successful attempt ended in [from, to): audio and assembly chunks are not frames. */
export async function framesFinished(orm: MikroORM, from: Date, to: Date): Promise<number> {
  const rows = await orm.em.getConnection().execute<{ frames: string | null }[]>(
    `select coalesce(sum(c.frame_end - c.frame_start + 1), 0) as frames
       from chunk_attempts a join chunks c on c.id = a.chunk_id
      where a.outcome = 'done' and a.ended_at >= ? and a.ended_at < ? and c.kind = 'frames'`,
    [from, to],
  );
  return Number(rows[0]?.frames ?? 0);
}
