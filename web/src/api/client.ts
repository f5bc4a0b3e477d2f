import { apiRoutes, CSRF_HEADER, type ApiRoutes, type ErrorCode, type FieldIssue, type RouteName } from '@cloudexport/shared';
import type { z } from 'zod';

type Part<N extends RouteName, K extends 'params' | 'query' | 'body'> = ApiRoutes[N] extends { [P in K]: infer S extends z.ZodType } ? z.input<S> : never;
type HasPart<N extends RouteName, K extends string> = ApiRoutes[N] extends { [P in K]: z.ZodType } ? K : never;

/** What a call sends: only the parts its route declares. */
export type CallInput<N extends RouteName> = { [K in HasPart<N, 'params'> | HasPart<N, 'query'> | HasPart<N, 'body'>]: Part<N, K> };
export type CallOutput<N extends RouteName> = z.output<ApiRoutes[N]['response']>;

/** A refused or failed request, with the server's code and its message meant for people. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
/** The session's CSRF token, sent on every write (see the coordinator's identify-caller). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const listeners = new Set<() => void>();
/** Called when the session ends: signed out, or a request found it gone (401). The app goes back to sign-in, caches forget. */
export function onSignedOut(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announceSignedOut(): void {
  for (const listener of listeners) listener();
}

export function pathOf(template: string, params: Record<string, string> | undefined): string {
  return template.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(params?.[key] ?? ''));
}

/** Calls one route of the shared table, typed by its schemas. */
export async function call<N extends RouteName>(name: N, input: CallInput<N> = {} as CallInput<N>): Promise<CallOutput<N>> {
  const route = apiRoutes[name];
  const { params, query, body } = input as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
  let url = `/api/v1${pathOf(route.path, params)}`;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  if ([...search].length > 0) url += `?${search}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (route.method !== 'get' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, { method: route.method.toUpperCase(), headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiCallError(0, 'network', 'The coordinator cannot be reached. Check your connection; this page retries when you act again.');
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const error = (json as { error?: { code: ErrorCode; message: string; details?: { issues?: FieldIssue[] } } } | null)?.error;
    if (res.status === 401 && name !== 'createSession') announceSignedOut();
    throw new ApiCallError(res.status, error?.code ?? 'internal', error?.message ?? `The coordinator answered ${res.status}.`, error?.details?.issues ?? []);
  }
  return json as CallOutput<N>;
}

/**
 * Every page of a keyset-paginated list, up to `max` items. `onPage` sees the items so far after
 * each page, so a long list can show its first rows while the rest loads.
 */
export async function callAll<N extends RouteName, T>(name: N, input: CallInput<N>, max = 5_000, onPage?: (soFar: T[]) => void): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const query = { ...((input as { query?: object }).query ?? {}), limit: 200, cursor };
    const page = (await call(name, { ...input, query } as CallInput<N>)) as unknown as { items: T[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (cursor && onPage) onPage(items.slice());
  } while (cursor && items.length < max);
  return items;
}
