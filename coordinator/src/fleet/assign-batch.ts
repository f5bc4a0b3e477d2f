import { assertChunkTransition, ChunkKind, ChunkState, type ChunkAssignment, type CompSpec, type CustomPreset, type PresetId } from '@cloudexport/shared';
import { deliverableSpec, encoderNeeded, frameDepthOf } from '../jobs/deliverable-spec.js';
import { chunkFromRow, nodeFromRow } from '../db/row-mappers.js';
import type { Sql } from '../db/raw-sql.js';
import type { ChunkRow, NodeRow } from '../db/entities/index.js';

/** Jobs looked at per batch: the front of the queue by priority, turn and age. */
const CANDIDATE_JOBS = 100;
/** Extra chunks locked per job so that a node that failed the first one can take the next. */
const SPARE_CHUNKS = 4;

export interface AssignedBatch {
  assignments: { nodeId: string; assignment: ChunkAssignment }[];
  chunks: ChunkRow[];
  nodes: NodeRow[];
}

interface IdleNode {
  id: string;
  vram_mb: number;
  ae_major: number;
  price: number;
  /** The projects (owner/project path) of the bundles in its cache. */
  lineages: string[];
  /** Its ffmpeg's encoders (none without ffmpeg): an assembly needs the one its codec uses. */
  encoders: string[];
}

interface CandidateJob {
  id: string;
  priority: number;
  min_ae_version: number | null;
  min_vram_mb: number;
  ceiling_price: number | null;
  max_tier: string | null;
  next_index: number;
  /** Queued chunks, counted up to the batch size. */
  queued: number;
  /** For each queued chunk some node failed before: who failed it. */
  failed_by: string[][];
  /** The project its bundle renders (owner/project path): re-exports of a project share it. */
  lineage: string | null;
  /** Its queued chunk is the assembly (then the only one): only a node with the encoder may take it. */
  assembling: boolean;
  preset: PresetId;
  custom: CustomPreset | null;
}

/** Re-exports of one project by one owner share most blobs: a node that cached one has the rest. */
const LINEAGE = `b.owner_id::text || '/' || (b.manifest->'project'->>'path')`;

/**
 * Hands the front of the queue to many idle nodes in one transaction, in set-based statements
 * whatever the batch size:
 * 1. lock the nodes that are still idle (SKIP LOCKED: another coordinator may be using one);
 * 2. the jobs any of them may serve — alive, with queued chunks — by priority, then the job that
 *    has had the fewest chunks handed out (its next queued index), then age;
 * 3. each node takes, among the jobs it can render (tier under the job's ceiling, AE and VRAM
 *    enough, not blocklisted), the first by that order, counting what this batch already gave,
 *    so jobs of one priority take turns — except that within a priority a node prefers a project
 *    whose bundle it has cached (it downloads only what changed), and such nodes choose first;
 * 4. lock that many queued chunks per job, FOR UPDATE SKIP LOCKED so coordinators sharing the
 *    database never take the same chunk; a node never gets a chunk it failed before;
 * 5. lease them under a new epoch, mark the nodes busy, open an attempt each.
 */
export async function assignBatch(sql: Sql, nodeIds: string[], now: Date, leaseMs: number): Promise<AssignedBatch> {
  const empty: AssignedBatch = { assignments: [], chunks: [], nodes: [] };
  if (nodeIds.length === 0) return empty;
  const nodes = await sql.query<IdleNode>(
    `select n.id, n.vram_mb, t.price_per_minute_micros as price,
            coalesce((select max((a->>'major')::int) from jsonb_array_elements(n.ae_installs) a), 0) as ae_major,
            array(select distinct ${LINEAGE} from bundles b
                   where b.id in (select jsonb_array_elements_text(n.cached_bundles)::uuid))::text[] as lineages,
            array(select jsonb_array_elements_text(case when jsonb_typeof(n.hardware->'ffmpeg'->'encoders') = 'array'
                                                        then n.hardware->'ffmpeg'->'encoders' else '[]'::jsonb end))::text[] as encoders
       from nodes n join tier_prices t on t.id = n.tier_id
      where n.id = any($1::uuid[]) and n.state = 'online' and n.current_chunk_id is null and n.revoked_at is null
      order by n.id
      for update of n skip locked`,
    [nodeIds],
  );
  if (nodes.length === 0) return empty;
  const jobs = await sql.query<CandidateJob>(
    `select j.id, j.priority, j.min_ae_version, j.min_vram_mb, j.max_tier, ceiling.price_per_minute_micros as ceiling_price,
            (select min(q.index) from chunks q where q.job_id = j.id and q.state = 'QUEUED') as next_index,
            (select count(*)::int from (select 1 from chunks q where q.job_id = j.id and q.state = 'QUEUED' limit $4) q) as queued,
            (select coalesce(jsonb_agg(q.failed_node_ids), '[]'::jsonb) from chunks q
              where q.job_id = j.id and q.state = 'QUEUED' and q.failed_node_ids <> '[]'::jsonb) as failed_by,
            (select ${LINEAGE} from bundles b
              where b.id = case when j.bundle ~ '^[0-9a-f-]{36}$' then j.bundle::uuid end) as lineage,
            -- by the assembly's own partial index: one row, however many frame chunks are queued
            coalesce((select a.state = 'QUEUED' from chunks a where a.job_id = j.id and a.kind = 'assemble'), false) as assembling,
            j.preset, j.custom
       from jobs j
       left join tier_prices ceiling on ceiling.id = j.max_tier
      where j.state not in ('CREATED', 'COMPLETED', 'PERMANENTLY_FAILED', 'CANCELLED')
        and exists (select 1 from chunks q where q.job_id = j.id and q.state = 'QUEUED')
        and (j.max_tier is null or ceiling.price_per_minute_micros >= $1)
        and (j.min_ae_version is null or j.min_ae_version <= $2)
        and j.min_vram_mb <= $3
      order by j.priority desc, next_index asc, j.created_at asc
      limit ${CANDIDATE_JOBS}`,
    [Math.min(...nodes.map((n) => n.price)), Math.max(...nodes.map((n) => n.ae_major)), Math.max(...nodes.map((n) => n.vram_mb)), nodes.length + SPARE_CHUNKS],
  );
  if (jobs.length === 0) return empty;
  const blocks = await sql.query<{ node_id: string; job_id: string }>(
    `select node_id, job_id from node_job_blocks where node_id = any($1::uuid[]) and job_id = any($2::uuid[])`,
    [nodes.map((n) => n.id), jobs.map((j) => j.id)],
  );
  const blocked = new Set(blocks.map((b) => `${b.node_id}/${b.job_id}`));

  // plan: which job each node serves; a job's turn is its next index plus what this batch gave it
  const given = new Map<string, number>();
  const plan = new Map<string, string[]>();
  const failedByNode = (job: CandidateJob, nodeId: string) => job.failed_by.filter((ids) => ids.includes(nodeId)).length;
  const turn = (job: CandidateJob) => job.next_index + (given.get(job.id) ?? 0);
  const cached = (node: IdleNode, job: CandidateJob) => job.lineage !== null && node.lineages.includes(job.lineage);
  // nodes holding a queued project's files choose first, so a cold node does not take it from them
  const warm = (node: IdleNode) => jobs.some((job) => cached(node, job));
  for (const node of [...nodes.filter(warm), ...nodes.filter((n) => !warm(n))]) {
    let best: CandidateJob | null = null;
    for (const job of jobs) {
      if (job.max_tier !== null && (job.ceiling_price === null || job.ceiling_price < node.price)) continue;
      if (job.min_ae_version !== null && job.min_ae_version > node.ae_major) continue;
      if (job.min_vram_mb > node.vram_mb || blocked.has(`${node.id}/${job.id}`)) continue;
      if (job.assembling && !canAssemble(node, job)) continue;
      // nothing left this batch, or nothing this node has not failed already
      if ((given.get(job.id) ?? 0) >= job.queued || failedByNode(job, node.id) >= job.queued) continue;
      if (!best) best = job;
      else if (job.priority < best.priority) break;
      // same priority: a project the node has cached first, then the job whose turn it is
      else if (cached(node, job) !== cached(node, best)) best = cached(node, job) ? job : best;
      else if (turn(job) < turn(best)) best = job;
    }
    if (!best) continue;
    given.set(best.id, (given.get(best.id) ?? 0) + 1);
    plan.set(best.id, [...(plan.get(best.id) ?? []), node.id]);
  }
  if (plan.size === 0) return empty;

  const wanted = [...plan];
  const claimed = await sql.query<{ id: string; job_id: string; failed_node_ids: string[]; state: ChunkState }>(
    `select c.id, c.job_id, c.failed_node_ids, c.state
       from unnest($1::uuid[], $2::int[]) as d(job_id, n)
       cross join lateral (
         select id, job_id, failed_node_ids, state, index from chunks
          where job_id = d.job_id and state = 'QUEUED'
          order by index
          limit d.n
          for update skip locked) c
      order by c.job_id, c.index`,
    [wanted.map(([jobId]) => jobId), wanted.map(([, ids]) => ids.length + SPARE_CHUNKS)],
  );
  const pairs: { chunkId: string; nodeId: string }[] = [];
  for (const [jobId, nodeIdsForJob] of wanted) {
    const free = claimed.filter((c) => c.job_id === jobId);
    for (const nodeId of nodeIdsForJob) {
      const at = free.findIndex((c) => !c.failed_node_ids.includes(nodeId));
      if (at < 0) continue;
      const [chunk] = free.splice(at, 1);
      assertChunkTransition(chunk!.state, ChunkState.ASSIGNED);
      pairs.push({ chunkId: chunk!.id, nodeId });
    }
  }
  if (pairs.length === 0) return empty;

  const chunkIds = pairs.map((p) => p.chunkId);
  const pairNodeIds = pairs.map((p) => p.nodeId);
  const chunkRows = await sql.query(
    `update chunks c set state = 'ASSIGNED', epoch = c.epoch + 1, node_id = d.node_id, frames_done = 0, lease_expires_at = $3, updated_at = $4
       from unnest($1::uuid[], $2::uuid[]) as d(id, node_id)
      where c.id = d.id
     returning c.*`,
    [chunkIds, pairNodeIds, new Date(now.getTime() + leaseMs), now],
  );
  const nodeRows = await sql.query(
    `update nodes n set current_chunk_id = d.chunk_id, state = 'busy', updated_at = $3
       from unnest($1::uuid[], $2::uuid[]) as d(id, chunk_id)
      where n.id = d.id
     returning n.*`,
    [pairNodeIds, chunkIds, now],
  );
  await sql.query(
    `insert into chunk_attempts (id, chunk_id, job_id, node_id, epoch, outcome, reason, message, started_at, ended_at)
     select gen_random_uuid(), c.id, c.job_id, c.node_id, c.epoch, 'running', null, null, $2, null from chunks c where c.id = any($1::uuid[])`,
    [chunkIds, now],
  );
  const jobRows = await sql.query<{ id: string; comp: CompSpec; bundle: string | null; preset: PresetId; custom: CustomPreset | null }>(
    `select id, comp, bundle, preset, custom from jobs where id = any($1::uuid[])`,
    [[...plan.keys()]],
  );
  const jobOf = new Map(jobRows.map((j) => [j.id, j]));
  const chunks = chunkRows.map(chunkFromRow);
  return {
    chunks,
    nodes: nodeRows.map(nodeFromRow),
    assignments: chunks.map((chunk) => {
      const job = jobOf.get(chunk.jobId)!;
      return {
        nodeId: chunk.nodeId!,
        assignment: {
          chunkId: chunk.id,
          epoch: chunk.epoch,
          jobId: job.id,
          index: chunk.index,
          comp: job.comp.name,
          fps: job.comp.fps,
          frameStart: chunk.frameStart,
          frameEnd: chunk.frameEnd,
          bundle: job.bundle ?? null,
          leaseMs,
          kind: chunk.kind,
          frameDepth: frameDepthOf(job),
          deliverable: chunk.kind === ChunkKind.assemble ? deliverableSpec(job) : null,
        },
      };
    }),
  };
}

/** An assembly goes to a node whose ffmpeg has the encoder for the job's codec. */
function canAssemble(node: IdleNode, job: CandidateJob): boolean {
  const encoder = encoderNeeded(job);
  return encoder === null || node.encoders.includes(encoder);
}
