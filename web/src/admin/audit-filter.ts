/**
 * The audit log's filter, kept in the page's URL so a filtered view can be linked. Times travel
 * as ISO 8601 with the browser's UTC offset (the API takes only timestamps with an offset); the
 * form shows them in datetime-local inputs, which know no time zone.
 */
export interface AuditFilter {
  actorId: string;
  action: string;
  /** ISO 8601 with offset, or '' for none. */
  since: string;
  until: string;
}

/** What the form's inputs hold: since/until as datetime-local values (`2025-03-01T14:30`). */
export interface AuditFilterForm {
  actor: string;
  action: string;
  since: string;
  until: string;
}


const MAX_TEXT = 100;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** A datetime-local value read in the browser's time zone, as ISO 8601 with that zone's offset then. */
export function localInputToIso(value: string): string | null {
  const m = LOCAL_INPUT.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (Number.isNaN(date.getTime()) || date.getMonth() !== Number(mo) - 1) return null;
  return isoWithLocalOffset(date);
}

/** `2025-03-01T14:30:00+01:00`: the local wall time with its offset (DST-correct for that date). */
export function isoWithLocalOffset(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}

/** An ISO timestamp as a datetime-local value in the browser's zone; '' if it is not one. */
export function isoToLocalInput(iso: string): string {
  if (!ISO_WITH_OFFSET.test(iso)) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The filter a URL's query names; anything malformed is dropped rather than sent to the API. */
export function filterFromQuery(query: Record<string, string | undefined>): AuditFilter {
  const text = (v: string | undefined) => (v ?? '').trim().slice(0, MAX_TEXT);
  const time = (v: string | undefined) => (v && ISO_WITH_OFFSET.test(v) && !Number.isNaN(Date.parse(v)) ? v : '');
  return { actorId: text(query['actor']), action: text(query['action']), since: time(query['since']), until: time(query['until']) };
}

/** The URL query for a filter: only what is set, under short names. */
export function filterToQuery(filter: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  if (filter.actorId) out['actor'] = filter.actorId;
  if (filter.action) out['action'] = filter.action;
  if (filter.since) out['since'] = filter.since;
  if (filter.until) out['until'] = filter.until;
  return out;
}

/** `?actor=…&action=…`, or '' for no filter. */
export function filterToSearch(filter: AuditFilter): string {
  const search = new URLSearchParams(filterToQuery(filter)).toString();
  return search ? `?${search}` : '';
}

/** The listAudit query for a filter (the API's own names). */
export function filterToApiQuery(filter: AuditFilter): { actorId?: string; action?: string; since?: string; until?: string } {
  return {
    ...(filter.actorId ? { actorId: filter.actorId } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.since ? { since: filter.since } : {}),
    ...(filter.until ? { until: filter.until } : {}),
  };
}

export function formFromFilter(filter: AuditFilter): AuditFilterForm {
  return { actor: filter.actorId, action: filter.action, since: isoToLocalInput(filter.since), until: isoToLocalInput(filter.until) };
}

export type FilterErrors = Partial<Record<keyof AuditFilterForm, string>>;

/** Checks the form before it goes into the URL; each error says how to fix the field. */
export function filterFromForm(form: AuditFilterForm): { filter: AuditFilter; errors: FilterErrors } {
  const errors: FilterErrors = {};
  const actorId = form.actor.trim();
  const action = form.action.trim();
  if (actorId.length > MAX_TEXT) errors.actor = `An actor id has at most ${MAX_TEXT} characters.`;
  if (action.length > MAX_TEXT) errors.action = `An action has at most ${MAX_TEXT} characters.`;
  else if (/\s/.test(action)) errors.action = 'An action has no spaces: type one like job.create, or a prefix ending in a dot like job.';
  const since = form.since ? localInputToIso(form.since) : '';
  const until = form.until ? localInputToIso(form.until) : '';
  if (since === null) errors.since = 'Pick a date and time, or clear the field.';
  if (until === null) errors.until = 'Pick a date and time, or clear the field.';
  if (since && until && Date.parse(since) >= Date.parse(until)) errors.until = 'Until must be after since.';
  return { filter: { actorId, action, since: since ?? '', until: until ?? '' }, errors };
}

export function isEmptyFilter(filter: AuditFilter): boolean {
  return !filter.actorId && !filter.action && !filter.since && !filter.until;
}
