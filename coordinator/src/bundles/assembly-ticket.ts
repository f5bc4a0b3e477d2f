import { AckCode, ChunkKind, sealKeysForNode, type AssemblyInput, type AssemblyOpen, type AssemblyTicket } from '@cloudexport/shared';
import { signedRequestDto } from '../api/dto.js';
import { recordAudit } from '../audit/audit-log.js';
import { NodeEntity } from '../db/entities/index.js';
import { TICKET_URL_TTL_MS } from './bundle-ticket.js';
import { heldChunk, refuse, type BundleDeps, type Refusal } from './held-chunk.js';
import { finishedOutputs, type FinishedOutput } from './job-outputs.js';
import { outputKeyContext } from './object-names.js';
import { unwrapContentKey } from './wrapped-keys.js';

/** `frame_00042.tif` → 42: the engine names every frame by its comp frame number. */
const FRAME_NUMBER = /(\d+)\.[A-Za-z0-9]+$/;

/**
 * `assembly:open`: every frame of the job and its sound, as the nodes that rendered them
 * stored them — a signed GET each, and each source chunk's output key sealed to this node's
 * X25519 key. Only the node holding the job's assemble chunk under this epoch gets one. The
 * frames must cover the comp's range exactly once, or there is nothing sound to assemble.
 */
export async function openAssemblyTicket(deps: BundleDeps, nodeId: string, ref: AssemblyOpen, now: Date): Promise<{ ok: true; ticket: AssemblyTicket } | Refusal> {
  const em = deps.orm.em.fork();
  const held = await heldChunk(em, nodeId, ref);
  if ('ok' in held) return held;
  const { chunk, job } = held;
  if (chunk.kind !== ChunkKind.assemble) return refuse(AckCode.invalid, `Chunk ${chunk.id} renders ${chunk.kind}; only an assemble chunk has assembly inputs.`);
  const node = await em.findOneOrFail(NodeEntity, { id: nodeId }, { fields: ['boxPublicKey'] });
  const nodeKey = Buffer.from(node.boxPublicKey, 'base64');
  if (nodeKey.length !== 32) return refuse(AckCode.invalid, 'This node’s box public key is not a 32-byte X25519 key; enroll the machine again.');

  const outputs = (await finishedOutputs(em, job.id)).filter((o) => o.kind !== ChunkKind.assemble);
  const frames = outputs.filter((o) => o.kind === ChunkKind.frames);
  const problem = coverageProblem(frames, job.comp.frameStart, job.comp.frameEnd);
  if (problem) return refuse(AckCode.invalid, `Job ${job.id} cannot be assembled: ${problem}`);

  // one sealed key per source chunk (and epoch): every output of a chunk shares its key
  const sources = [...new Map(outputs.map((o) => [`${o.row.chunkId}/${o.row.epoch}`, o.row])).values()];
  const keys = sources.map((o) => unwrapContentKey(deps.masterKey, o.wrappedKey, outputKeyContext(o.jobId, o.chunkId, o.epoch)));
  const sealed = sealKeysForNode(keys, nodeKey);
  for (const k of keys) k.fill(0);
  const sealedKeyOf = new Map(sources.map((o, i) => [`${o.chunkId}/${o.epoch}`, Buffer.from(sealed[i]!).toString('base64')]));
  const requests = await Promise.all(outputs.map((o) => deps.storage.createDownloadUrl(o.row.storageKey, { ttlMs: TICKET_URL_TTL_MS })));
  const inputs: AssemblyInput[] = outputs.map(({ row, kind }, i) => ({
    role: kind === ChunkKind.audio ? 'audio' : 'frame',
    frame: kind === ChunkKind.audio ? null : frameNumber(row.name),
    name: row.name,
    size: row.size,
    sha256: row.sha256,
    sealedSize: row.sealedSize,
    recordSize: row.recordSize,
    sealedKey: sealedKeyOf.get(`${row.chunkId}/${row.epoch}`)!,
    request: signedRequestDto(requests[i]!),
  }));
  recordAudit(em, now, { kind: 'node', id: nodeId }, { action: 'assembly.open', targetType: 'job', targetId: job.id, details: { chunkId: chunk.id, epoch: chunk.epoch, frames: frames.length, audio: inputs.some((i) => i.role === 'audio') } });
  await em.flush();
  return { ok: true, ticket: { inputs } };
}

function frameNumber(name: string): number {
  return Number(FRAME_NUMBER.exec(name)?.[1] ?? Number.NaN);
}

/** Why these frame files do not cover [start, end] exactly once, or null when they do. */
function coverageProblem(frames: FinishedOutput[], start: number, end: number): string | null {
  const seen = new Set<number>();
  for (const { row } of frames) {
    const n = frameNumber(row.name);
    if (!Number.isInteger(n)) return `output ${row.name} is not named by its frame number.`;
    if (n < start || n > end) return `output ${row.name} is outside the comp's frames ${start}–${end}.`;
    if (seen.has(n)) return `frame ${n} was stored twice (${row.name}).`;
    seen.add(n);
  }
  const expected = end - start + 1;
  if (seen.size !== expected) {
    const missing: number[] = [];
    for (let n = start; n <= end && missing.length < 5; n++) if (!seen.has(n)) missing.push(n);
    return `${expected - seen.size} of ${expected} frames are not stored (first: ${missing.join(', ')}).`;
  }
  return null;
}
