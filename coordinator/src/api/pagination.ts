import type { EntityName, FilterQuery, OrderDefinition } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ErrorCode, type PageQuery } from '@cloudexport/shared';
import { ApiError } from './api-error.js';

/** Keyset pagination over (timestamp desc, id desc): stable while rows are added. */
export interface Cursor {
  at: Date;
  id: string;
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): Cursor | null {
  if (cursor === undefined) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const date = new Date(String(at));
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('shape');
    return { at: date, id };
  } catch {
    throw new ApiError(400, ErrorCode.validationFailed, 'Invalid query: cursor: not a cursor from a previous page.', {
      issues: [{ path: 'cursor', message: 'not a cursor from a previous page' }],
    });
  }
}

/** The MikroORM filter for rows after `cursor` in (field desc, id desc) order. */
function afterCursor(field: string, cursor: Cursor | null): Record<string, unknown> {
  if (!cursor) return {};
  return { $or: [{ [field]: { $lt: cursor.at } }, { [field]: cursor.at, id: { $lt: cursor.id } }] };
}

/** Given `limit + 1` rows, the page and the cursor of the next one. */
function pageFrom<T extends { id: string }>(rows: T[], limit: number, at: (row: T) => Date): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1]!;
  return { rows: page, nextCursor: encodeCursor(at(last), last.id) };
}

/** One page of `entity` matching `where`, newest first by `field`, after the query's cursor. */
export async function findPage<T extends { id: string }>(
  em: EntityManager,
  entity: EntityName<T>,
  where: Record<string, unknown>,
  query: PageQuery,
  field: keyof T & string,
): Promise<{ rows: T[]; nextCursor: string | null }> {
  const rows = await em.find(entity, { ...where, ...afterCursor(field, decodeCursor(query.cursor)) } as FilterQuery<T>, {
    orderBy: { [field]: 'desc', id: 'desc' } as OrderDefinition<T>,
    limit: query.limit + 1,
  });
  return pageFrom(rows, query.limit, (row) => row[field] as Date);
}
