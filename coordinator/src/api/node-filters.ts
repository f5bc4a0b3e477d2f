import { raw } from '@mikro-orm/core';

/** LIKE's wildcards taken literally: a search for "50%" finds "50%", not everything starting "50". */
const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The fleet toolbar's filters as MikroORM conditions, all in SQL so keyset pages stay exact:
 * tier; an After Effects major installed (any of its installs); part of the name or of any GPU's
 * model, in any case.
 */
export function nodeFilters(query: { tierId?: string | undefined; aeVersion?: number | undefined; q?: string | undefined }): Record<string, unknown>[] {
  const and: Record<string, unknown>[] = [];
  if (query.tierId) and.push({ tierId: query.tierId });
  if (query.aeVersion !== undefined) {
    and.push({ [raw(`(exists (select 1 from jsonb_array_elements(ae_installs) ae where (ae->>'major')::int = ?))`, [query.aeVersion])]: true });
  }
  if (query.q) {
    const pattern = `%${likeEscaped(query.q)}%`;
    and.push({
      $or: [{ name: { $ilike: pattern } }, { [raw(`(exists (select 1 from jsonb_array_elements(gpus) g where g->>'model' ilike ?))`, [pattern])]: true }],
    });
  }
  return and;
}
