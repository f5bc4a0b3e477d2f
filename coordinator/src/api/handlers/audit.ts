import type { ApiRoutes } from '@cloudexport/shared';
import { AuditEntryEntity } from '../../db/entities/index.js';
import type { Handler } from '../build-router.js';
import { auditDto } from '../dto.js';
import { findPage } from '../pagination.js';

export const listAudit: Handler<ApiRoutes['listAudit']> = async ({ em, query }) => {
  const action = query.action?.endsWith('.') ? { $like: `${query.action.replace(/[%_\\]/g, '\\$&')}%` } : query.action;
  const at = { ...(query.since ? { $gte: new Date(query.since) } : {}), ...(query.until ? { $lt: new Date(query.until) } : {}) };
  const where = { ...(query.actorId ? { actorId: query.actorId } : {}), ...(action ? { action } : {}), ...(Object.keys(at).length ? { at } : {}) };
  const page = await findPage(em, AuditEntryEntity, where, query, 'at');
  return { items: page.rows.map(auditDto), nextCursor: page.nextCursor };
};
