import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { ActorKind } from '@cloudexport/shared';

export const AuditEntryEntity = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  indexes: [{ properties: ['at'] }, { properties: ['actorId', 'at'] }, { properties: ['action', 'at'] }],
  properties: {
    id: p.uuid().primary(),
    at: p.datetime(),
    actorKind: p.string().length(16).$type<ActorKind>(),
    actorId: p.string().length(64).nullable(),
    action: p.string().length(64),
    targetType: p.string().length(32).nullable(),
    targetId: p.string().length(64).nullable(),
    details: p.json<Record<string, unknown>>(),
    ip: p.string().length(64).nullable(),
  },
});
export type AuditEntryRow = InferEntity<typeof AuditEntryEntity>;
