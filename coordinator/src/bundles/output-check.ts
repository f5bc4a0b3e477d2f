import type { MikroORM } from '@mikro-orm/postgresql';
import { ChunkKind, isActiveChunkState, type ChunkState } from '@cloudexport/shared';
import { RawSql } from '../db/raw-sql.js';
import type { ObjectStorage } from '../storage/object-storage.js';

/** HEADs in flight at once for one chunk's outputs. */
const HEAD_CONCURRENCY = 8;

/**
 * Before a bundled job's chunk counts as done: one output per frame, each in storage with its
 * exact sealed size. Runs before the batched done (storage round trips stay out of its
 * transaction); a chunk of a job without a bundle costs one indexed lookup.
 */
export class ChunkOutputCheck {
  private readonly sql: RawSql;

  constructor(
    orm: MikroORM,
    private readonly storage: ObjectStorage,
  ) {
    this.sql = new RawSql(orm);
  }

  /** Why the chunk is not done, or null: all in place, nothing to check, or not this node's (the done is fenced later). */
  async missing(nodeId: string, ref: { chunkId: string; epoch: number }): Promise<string | null> {
    const [chunk] = await this.sql.query<{ node_id: string | null; epoch: number; state: ChunkState; kind: ChunkKind; frame_start: number; frame_end: number; bundled: boolean }>(
      `select c.node_id, c.epoch, c.state, c.kind, c.frame_start, c.frame_end, j.bundle is not null as bundled from chunks c join jobs j on j.id = c.job_id where c.id = $1`,
      [ref.chunkId],
    );
    if (!chunk || !chunk.bundled || chunk.node_id !== nodeId || chunk.epoch !== ref.epoch || !isActiveChunkState(chunk.state)) return null;
    const outputs = await this.sql.query<{ name: string; sealed_size: string; storage_key: string }>(
      `select name, sealed_size, storage_key from job_outputs where chunk_id = $1 and epoch = $2 order by name`,
      [ref.chunkId, ref.epoch],
    );
    // a frame chunk uploads one file per frame; the sound and the deliverable are one file each
    const frames = chunk.kind === ChunkKind.frames ? chunk.frame_end - chunk.frame_start + 1 : 1;
    const absent: string[] = [];
    for (let i = 0; i < outputs.length; i += HEAD_CONCURRENCY) {
      const heads = await Promise.all(outputs.slice(i, i + HEAD_CONCURRENCY).map(async (o) => ({ o, found: await this.storage.head(o.storage_key) })));
      for (const { o, found } of heads) {
        if (!found) absent.push(`${o.name}: nothing arrived`);
        else if (found.size !== Number(o.sealed_size)) absent.push(`${o.name}: ${found.size} of ${o.sealed_size} bytes`);
      }
    }
    if (outputs.length === frames && absent.length === 0) return null;
    const range = chunk.kind === ChunkKind.frames ? `frames ${chunk.frame_start}–${chunk.frame_end}` : `the ${chunk.kind === ChunkKind.audio ? 'audio' : 'deliverable'}`;
    const declared = outputs.length === frames ? '' : ` ${outputs.length} were announced with output:begin, ${frames} ${chunk.kind === ChunkKind.frames ? 'are needed (one per frame)' : 'is needed'}.`;
    const stored = absent.length ? ` ${absent.length} are not in storage with their sealed size (${absent.slice(0, 5).join('; ')}${absent.length > 5 ? '; …' : ''}).` : '';
    return `Chunk ${ref.chunkId} (${range}) reported done without all of its frames uploaded:${declared}${stored} Upload every frame, then report done.`;
  }
}
