import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ErrorCode, matchTier, NodeState, type EnrolledNode, type EnrollNodeBody, type MachineReport } from '@cloudexport/shared';
import { ApiError } from '../api/api-error.js';
import type { AuditActor } from '../audit/audit-log.js';
import { recordAudit } from '../audit/audit-log.js';
import { EnrollmentTokenEntity, NodeEntity, UserEntity } from '../db/entities/index.js';
import { loadTiers } from '../tiers/tier-table.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createEnrollmentToken(em: EntityManager, ownerId: string, ttlMinutes: number, now: Date, actor: AuditActor) {
  const token = `cet_${randomBytes(24).toString('base64url')}`;
  const row = em.create(EnrollmentTokenEntity, { id: randomUUID(), ownerId, hash: hashToken(token), expiresAt: new Date(now.getTime() + ttlMinutes * 60_000), usedAt: null, nodeId: null, createdAt: now });
  recordAudit(em, now, actor, { action: 'enrollment_token.create', targetType: 'enrollment_token', targetId: row.id, details: { ownerId, ttlMinutes } });
  await em.flush();
  return { row, token };
}

/** The GPU with the most memory decides the node's tier and VRAM. */
export async function classifyMachine(em: EntityManager, machine: MachineReport): Promise<{ tierId: string | null; vramMb: number }> {
  const best = [...machine.gpus].sort((a, b) => b.vramMb - a.vramMb)[0];
  if (!best) return { tierId: null, vramMb: 0 };
  return { tierId: matchTier(best.model, await loadTiers(em))?.id ?? null, vramMb: best.vramMb };
}

/** Trades a one-time token for a node identity: the public halves of its key pairs. */
export async function enrollNode(em: EntityManager, body: EnrollNodeBody, now: Date, ip: string): Promise<EnrolledNode> {
  return em.transactional(async (tx) => {
    const hash = hashToken(body.token);
    const token = await tx.findOne(EnrollmentTokenEntity, { hash });
    if (!token) throw new ApiError(401, ErrorCode.unauthorized, 'Unknown enrollment token. Create one in the console (or POST /api/v1/enrollment-tokens) and use it within its lifetime.');
    if (token.usedAt) throw new ApiError(409, ErrorCode.conflict, 'This enrollment token was already used; each works once. Create a new one.');
    if (token.expiresAt <= now) throw new ApiError(401, ErrorCode.unauthorized, `This enrollment token expired at ${token.expiresAt.toISOString()}. Create a new one.`);
    // claim it atomically: two agents racing with one token, one wins
    const claimed = await tx.nativeUpdate(EnrollmentTokenEntity, { id: token.id, usedAt: null }, { usedAt: now });
    if (claimed !== 1) throw new ApiError(409, ErrorCode.conflict, 'This enrollment token was already used; each works once. Create a new one.');
    const owner = await tx.findOne(UserEntity, { id: token.ownerId });
    if (!owner || owner.disabled) throw new ApiError(403, ErrorCode.forbidden, 'The account this token belongs to is disabled.');
    if (await tx.count(NodeEntity, { signingPublicKey: body.signingPublicKey })) {
      throw new ApiError(409, ErrorCode.conflict, 'A node with this signing key is already enrolled; make new keys (delete the agent’s identity file) and enroll again.');
    }
    const { tierId, vramMb } = await classifyMachine(tx, body.machine);
    const node = tx.create(NodeEntity, {
      id: randomUUID(),
      ownerId: owner.id,
      name: body.name,
      state: NodeState.offline,
      signingPublicKey: body.signingPublicKey,
      boxPublicKey: body.boxPublicKey,
      gpus: body.machine.gpus,
      tierId,
      vramMb,
      aeInstalls: body.machine.aeInstalls,
      hardware: { cpu: body.machine.cpu, ramMb: body.machine.ramMb, freeDiskMb: body.machine.freeDiskMb, os: body.machine.os, ffmpeg: body.machine.ffmpeg },
      agentVersion: body.machine.agentVersion,
      lastHeartbeatAt: null,
      currentChunkId: null,
      disabledReason: null,
      revokedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    token.nodeId = node.id;
    recordAudit(tx, now, { kind: 'node', id: node.id, ip }, { action: 'node.enroll', targetType: 'node', targetId: node.id, details: { ownerId: owner.id, name: body.name, tierId, gpus: body.machine.gpus.map((g) => g.model) } });
    return { nodeId: node.id, ownerId: owner.id, tierId };
  });
}
