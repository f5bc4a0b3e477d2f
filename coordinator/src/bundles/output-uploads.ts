import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AckCode, ciphertextSize, DEFAULT_RECORD_SIZE, type OutputBegin, type OutputUploads } from '@cloudexport/shared';
import { signedRequestDto } from '../api/dto.js';
import { recordAudit } from '../audit/audit-log.js';
import { ChunkEntity, JobOutputEntity } from '../db/entities/index.js';
import { MAX_SINGLE_UPLOAD_BYTES } from '../storage/object-storage.js';
import { heldChunk, refuse, type BundleDeps, type Refusal } from './held-chunk.js';
import { outputKeyContext, outputObjectKey } from './object-names.js';
import { wrapContentKey } from './wrapped-keys.js';

/** Upload links live an hour; a node asks again (output:begin is idempotent) for expired ones. */
export const OUTPUT_URL_TTL_MS = 60 * 60 * 1000;
const BATCH = 5_000;

/**
 * `output:begin`: records the chunk's sealed outputs (its key wrapped under the master key) and
 * answers one signed PUT per file, of exactly its sealed size. Fenced like every chunk message.
 * Asking again for the same names (e.g. after links expired) replaces their records.
 */
export async function beginOutputs(deps: BundleDeps, nodeId: string, begin: OutputBegin, now: Date): Promise<({ ok: true } & OutputUploads) | Refusal> {
  const names = new Set<string>();
  for (const f of begin.files) {
    if (names.has(f.name)) return refuse(AckCode.invalid, `Output ${f.name} is listed twice.`);
    names.add(f.name);
    const expected = ciphertextSize(f.size, f.recordSize ?? DEFAULT_RECORD_SIZE);
    if (f.sealedSize !== expected) {
      return refuse(AckCode.invalid, `Output ${f.name}: ${f.size} bytes sealed in ${f.recordSize ?? DEFAULT_RECORD_SIZE}-byte records are exactly ${expected} bytes, not ${f.sealedSize}.`);
    }
    if (f.sealedSize > MAX_SINGLE_UPLOAD_BYTES) return refuse(AckCode.invalid, `Output ${f.name} is ${f.sealedSize} bytes sealed; one output may be at most ${MAX_SINGLE_UPLOAD_BYTES}.`);
  }

  const outcome = await deps.orm.em.fork().transactional(async (tx) => {
    // shared lock: a requeue of the chunk waits until these rows are in
    const held = await heldChunk(tx, nodeId, begin, LockMode.PESSIMISTIC_READ);
    if ('ok' in held) return held;
    const { chunk, job } = held;
    const frames = chunk.frameEnd - chunk.frameStart + 1;
    const already = await tx.find(JobOutputEntity, { chunkId: chunk.id, epoch: chunk.epoch }, { fields: ['name'] });
    const total = new Set([...already.map((o) => o.name), ...names]).size;
    if (total > frames) return refuse(AckCode.invalid, `Chunk ${chunk.id} renders ${frames} frames; ${total} outputs would be recorded for it. Upload one file per frame.`);
    const taken = await namesOfOtherChunks(tx, job.id, chunk.id, [...names]);
    if (taken.length) return refuse(AckCode.invalid, `Output name(s) ${taken.slice(0, 5).join(', ')} already belong to another chunk of job ${job.id}; name frames by their frame number.`);

    const wrappedKey = wrapContentKey(deps.masterKey, Buffer.from(begin.key, 'base64'), outputKeyContext(job.id, chunk.id, chunk.epoch));
    const rows = begin.files.map((f) => ({
      id: randomUUID(),
      jobId: job.id,
      chunkId: chunk.id,
      epoch: chunk.epoch,
      name: f.name,
      size: f.size,
      sha256: f.sha256,
      sealedSize: f.sealedSize,
      recordSize: f.recordSize ?? DEFAULT_RECORD_SIZE,
      storageKey: outputObjectKey(job.id, chunk.id, chunk.epoch, f.name),
      wrappedKey,
      createdAt: now,
    }));
    for (let i = 0; i < rows.length; i += BATCH) {
      await tx.upsertMany(JobOutputEntity, rows.slice(i, i + BATCH), {
        onConflictFields: ['chunkId', 'epoch', 'name'],
        onConflictAction: 'merge',
        onConflictMergeFields: ['size', 'sha256', 'sealedSize', 'recordSize', 'wrappedKey', 'createdAt'],
      });
    }
    recordAudit(tx, now, { kind: 'node', id: nodeId }, { action: 'output.begin', targetType: 'chunk', targetId: chunk.id, details: { jobId: job.id, epoch: chunk.epoch, files: rows.length } });
    return { rows };
  });
  if ('ok' in outcome) return outcome;
  const uploads = await Promise.all(
    outcome.rows.map(async (r) => ({ name: r.name, request: signedRequestDto(await deps.storage.createUploadUrl(r.storageKey, { size: r.sealedSize, ttlMs: OUTPUT_URL_TTL_MS })) })),
  );
  return { ok: true, uploads };
}

/** Names among `names` that another chunk of the job recorded under its current epoch. */
async function namesOfOtherChunks(tx: EntityManager, jobId: string, chunkId: string, names: string[]): Promise<string[]> {
  const taken: string[] = [];
  for (let i = 0; i < names.length; i += BATCH) {
    const rows = await tx.find(JobOutputEntity, { jobId, chunkId: { $ne: chunkId }, name: { $in: names.slice(i, i + BATCH) } }, { fields: ['chunkId', 'epoch', 'name'] });
    if (!rows.length) continue;
    const epochs = new Map((await tx.find(ChunkEntity, { id: { $in: [...new Set(rows.map((r) => r.chunkId))] } }, { fields: ['id', 'epoch'] })).map((c) => [c.id, c.epoch]));
    taken.push(...rows.filter((r) => epochs.get(r.chunkId) === r.epoch).map((r) => r.name));
  }
  return taken;
}
