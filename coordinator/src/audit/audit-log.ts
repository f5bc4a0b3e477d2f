import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActorKind } from '@cloudexport/shared';
import { AuditEntryEntity } from '../db/entities/index.js';

export interface AuditActor {
  kind: ActorKind;
  id: string | null;
  ip?: string | null;
}

export interface AuditRecord {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** Adds an audit entry to the unit of work, so it commits (or not) with the change it records. */
export function recordAudit(em: EntityManager, at: Date, actor: AuditActor, record: AuditRecord): void {
  em.create(AuditEntryEntity, {
    id: randomUUID(),
    at,
    actorKind: actor.kind,
    actorId: actor.id,
    action: record.action,
    targetType: record.targetType ?? null,
    targetId: record.targetId ?? null,
    details: record.details ?? {},
    ip: actor.ip ?? null,
  });
}
