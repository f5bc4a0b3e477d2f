import { AckCode, sealKeysForNode, type BundleOpen, type BundleTicket } from '@cloudexport/shared';
import { signedRequestDto } from '../api/dto.js';
import { recordAudit } from '../audit/audit-log.js';
import { BlobEntity, BundleEntity, NodeEntity, type BlobRow } from '../db/entities/index.js';
import { touchBlobs } from './bundle-registry.js';
import { heldChunk, refuse, type BundleDeps, type Refusal } from './held-chunk.js';
import { blobKeyContext } from './object-names.js';
import { unwrapContentKey } from './wrapped-keys.js';

/** Download links in a ticket live an hour (DESIGN: signed URLs expire after 1 hour). */
export const TICKET_URL_TTL_MS = 60 * 60 * 1000;
const BATCH = 5_000;

/**
 * `bundle:open`: the manifest of the chunk's bundle and, per file, a signed GET and its content
 * key sealed to this node's X25519 key. Only the node holding the chunk under this epoch gets
 * one, so a node can open only what it was assigned; the coordinator never sends a key in clear.
 */
export async function openBundleTicket(deps: BundleDeps, nodeId: string, ref: BundleOpen, now: Date): Promise<{ ok: true; ticket: BundleTicket } | Refusal> {
  const em = deps.orm.em.fork();
  const held = await heldChunk(em, nodeId, ref);
  if ('ok' in held) return held;
  const { job } = held;
  if (!job.bundle) return refuse(AckCode.invalid, `Job ${job.id} renders no bundle: there is nothing to open for chunk ${ref.chunkId}.`);
  const bundle = await em.findOne(BundleEntity, { id: job.bundle, ownerId: job.ownerId });
  if (!bundle) return refuse(AckCode.invalid, `The bundle of job ${job.id} is no longer stored (past its retention period): the chunk cannot be rendered. Fail it with reason "bundle".`);
  const node = await em.findOneOrFail(NodeEntity, { id: nodeId }, { fields: ['boxPublicKey'] });
  const nodeKey = Buffer.from(node.boxPublicKey, 'base64');
  if (nodeKey.length !== 32) return refuse(AckCode.invalid, 'This node’s box public key is not a 32-byte X25519 key; enroll the machine again.');

  const shas = [...new Set(bundle.manifest.files.map((f) => f.sha256))];
  // a job waiting long in the queue keeps its files past their first retention period
  bundle.usedAt = now;
  await touchBlobs(em, job.ownerId, shas, now);
  const blobs: BlobRow[] = [];
  for (let i = 0; i < shas.length; i += BATCH) {
    blobs.push(...(await em.find(BlobEntity, { ownerId: job.ownerId, sha256: { $in: shas.slice(i, i + BATCH) }, storedAt: { $ne: null } })));
  }
  if (blobs.length !== shas.length) {
    const have = new Set(blobs.map((b) => b.sha256));
    const gone = shas.filter((s) => !have.has(s));
    return refuse(AckCode.invalid, `${gone.length} file(s) of bundle ${bundle.id} are no longer stored (first: ${gone[0]}): the chunk cannot be rendered. Fail it with reason "bundle".`);
  }
  const keys = blobs.map((b) => unwrapContentKey(deps.masterKey, b.wrappedKey, blobKeyContext(job.ownerId, b.sha256)));
  const sealed = sealKeysForNode(keys, nodeKey);
  for (const k of keys) k.fill(0);
  const requests = await Promise.all(blobs.map((b) => deps.storage.createDownloadUrl(b.storageKey, { ttlMs: TICKET_URL_TTL_MS })));
  recordAudit(em, now, { kind: 'node', id: nodeId }, { action: 'bundle.open', targetType: 'bundle', targetId: bundle.id, details: { jobId: job.id, chunkId: ref.chunkId, epoch: ref.epoch, files: blobs.length } });
  await em.flush();
  return {
    ok: true,
    ticket: {
      bundleId: bundle.id,
      manifestId: bundle.manifestId,
      manifest: bundle.manifest,
      blobs: blobs.map((b, i) => ({ sha256: b.sha256, size: b.size, sealedSize: b.sealedSize, sealedKey: Buffer.from(sealed[i]!).toString('base64'), request: signedRequestDto(requests[i]!) })),
    },
  };
}
