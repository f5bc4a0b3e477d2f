import type { FieldIssue, Tier, UpdateTierBody } from '@cloudexport/shared';

/** One tier row as the admin edits it: the inputs' raw text. */
export interface TierForm {
  name: string;
  price: string;
  models: string;
}

export type TierErrors = Partial<Record<keyof TierForm, string>>;

/** The same bounds the API enforces (shared/src/api/tiers.ts), checked before sending. */
export const MAX_PRICE_USD = 1000;
export const MAX_PRICE_DECIMALS = 6;
const MAX_MODELS = 200;
const MAX_MODEL_LENGTH = 64;
const MAX_NAME_LENGTH = 60;

export function formOf(tier: Pick<Tier, 'name' | 'pricePerMinuteUsd' | 'models'>): TierForm {
  return { name: tier.name, price: String(tier.pricePerMinuteUsd), models: tier.models.join('\n') };
}

/** A price typed as text: a positive decimal with at most 6 decimals, up to $1000 per GPU-minute. */
export function parsePrice(text: string): { value: number } | { error: string } {
  const t = text.trim().replace(/^\$/, '');
  if (!t) return { error: 'Enter a price per GPU-minute in dollars, e.g. 0.5.' };
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && !m[2])) return { error: `"${text.trim()}" is not a number; write it like 0.5 (dollars, a dot for decimals).` };
  if ((m[2] ?? '').length > MAX_PRICE_DECIMALS) return { error: `At most ${MAX_PRICE_DECIMALS} decimals: prices are kept in millionths of a dollar.` };
  const value = Number(t);
  if (!(value > 0)) return { error: 'The price must be more than $0.' };
  if (value > MAX_PRICE_USD) return { error: `At most $${MAX_PRICE_USD} per GPU-minute.` };
  return { value };
}

/** GPU model patterns, one per line or comma separated; blanks and repeats dropped, order kept. */
export function parseModels(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(/[\n,]/)) {
    const model = raw.trim().replace(/\s+/g, ' ');
    if (model) seen.add(model);
  }
  return [...seen];
}

export function checkModels(models: string[]): string | null {
  if (models.length === 0) return 'List at least one GPU model, e.g. RTX 4090: a tier with none gets no nodes.';
  if (models.length > MAX_MODELS) return `At most ${MAX_MODELS} models per tier.`;
  const long = models.find((m) => m.length > MAX_MODEL_LENGTH);
  if (long) return `"${long.slice(0, 20)}…" is longer than ${MAX_MODEL_LENGTH} characters.`;
  return null;
}

/**
 * The PATCH body for what changed, or the fields' errors. `body` is null when nothing changed
 * (and there are no errors): there is nothing to save.
 */
export function tierUpdate(tier: Pick<Tier, 'name' | 'pricePerMinuteUsd' | 'models'>, form: TierForm): { body: UpdateTierBody | null; errors: TierErrors } {
  const errors: TierErrors = {};
  const body: UpdateTierBody = {};
  const name = form.name.trim();
  if (!name) errors.name = 'A tier needs a name.';
  else if (name.length > MAX_NAME_LENGTH) errors.name = `At most ${MAX_NAME_LENGTH} characters.`;
  else if (name !== tier.name) body.name = name;
  const price = parsePrice(form.price);
  if ('error' in price) errors.price = price.error;
  else if (price.value !== tier.pricePerMinuteUsd) body.pricePerMinuteUsd = price.value;
  const models = parseModels(form.models);
  const modelError = checkModels(models);
  if (modelError) errors.models = modelError;
  else if (models.join('\n') !== tier.models.join('\n')) body.models = models;
  if (Object.keys(errors).length > 0) return { body: null, errors };
  return { body: Object.keys(body).length > 0 ? body : null, errors };
}

/** The server's field issues (`pricePerMinuteUsd`, `models.3`) placed on the row's inputs. */
export function tierIssues(issues: readonly FieldIssue[]): { errors: TierErrors; rest: string[] } {
  const errors: TierErrors = {};
  const rest: string[] = [];
  for (const issue of issues) {
    const head = issue.path.split('.')[0];
    const field = head === 'pricePerMinuteUsd' ? 'price' : head === 'models' ? 'models' : head === 'name' ? 'name' : null;
    if (field) errors[field] = errors[field] ? `${errors[field]} ${issue.message}` : issue.message;
    else rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return { errors, rest };
}
