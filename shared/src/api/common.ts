import { z } from 'zod';

export const idSchema = z.uuid();
export const idParamsSchema = z.object({ id: idSchema }).strict();

export const timestampSchema = z.iso.datetime({ offset: true });

/** Keyset pagination: `cursor` is opaque, taken from the previous page's `nextCursor`. */
export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type PageQuery = z.infer<typeof pageQuerySchema>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Money crosses the wire as decimal US dollars; the database keeps integer micro-dollars. */
export const usdSchema = z.number().min(0).max(1_000_000_000);
