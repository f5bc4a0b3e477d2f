// The coordinator's REST API as the panel and the CLI call it: an API key, JSON bodies, answers
// validated with the shared schemas, and failures turned into errors that name the fix.
import { errorBodySchema, type ErrorCode, type FieldIssue } from '@cloudexport/shared';

export const API_PREFIX = '/api/v1';

export interface CoordinatorClientOptions {
  /** The coordinator's base URL, e.g. `https://render.example.com` (no /api/v1). */
  baseUrl: string;
  apiKey: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/** What went wrong talking to the coordinator: its error code, or `network` / `bad_response`. */
export type ApiFailure = ErrorCode | 'network' | 'bad_response';

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    message: string,
    /** HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: ApiFailure,
    readonly issues: FieldIssue[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** Worth trying again as is: no answer, a timeout, rate limiting, or the server's own trouble. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** What a response is checked with: any zod schema from shared (typed structurally: zod is shared's dependency, not ours). */
export interface ResponseSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

export interface RequestOptions<T> {
  body?: unknown;
  schema: ResponseSchema<T>;
  signal?: AbortSignal;
}

export class CoordinatorClient {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;

  constructor(options: CoordinatorClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Calls `method path` (path under /api/v1) and returns the answer parsed with `schema`. */
  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, options: RequestOptions<T>): Promise<T> {
    const response = await this.send(method, path, {
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiRequestError(`${method} ${API_PREFIX}${path} answered ${response.status} with something that is not JSON: is ${this.baseUrl} a CloudExport coordinator?`, response.status, 'bad_response');
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new ApiRequestError(`${method} ${API_PREFIX}${path} answered in an unexpected shape (${issues}): the coordinator may be of another version than this client.`, response.status, 'bad_response');
    }
    return parsed.data;
  }

  /** The raw answer of a 2xx (for downloads); anything else is thrown as an ApiRequestError. */
  async send(method: string, path: string, init: { body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const url = `${this.baseUrl}${API_PREFIX}${path}`;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.#fetch(url, {
          method,
          headers: { accept: 'application/json', authorization: `Bearer ${this.#apiKey}`, ...init.headers },
          ...(init.body === undefined ? {} : { body: init.body }),
          ...(init.signal ? { signal: init.signal } : {}),
        });
      } catch (err) {
        if (init.signal?.aborted) throw err;
        throw new ApiRequestError(`Cannot reach the coordinator at ${this.baseUrl} (${describeNetworkError(err)}). Check the URL and your connection.`, 0, 'network');
      }
      // the API's rate limit: wait as told and ask again (a download of thousands of frames meets it)
      if (response.status === 429 && attempt < RATE_LIMIT_ATTEMPTS) {
        await response.body?.cancel().catch(() => {});
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 30) * 1000 : 250 * 2 ** attempt, init.signal);
        continue;
      }
      if (!response.ok) throw await errorFromResponse(response, `${method} ${API_PREFIX}${path}`);
      return response;
    }
  }
}

/** The coordinator's `{error: {code, message, details}}` as an ApiRequestError. */
export async function errorFromResponse(response: Response, what: string): Promise<ApiRequestError> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) {
    return new ApiRequestError(`${what} failed with HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}.`, response.status, response.status >= 500 ? 'internal' : 'bad_response');
  }
  const { code, message, details } = parsed.data.error;
  const issues = details?.issues ?? [];
  const listed = issues.length ? ` (${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')})` : '';
  return new ApiRequestError(`${message}${listed}`, response.status, code, issues, details ?? {});
}

export function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** `{ items: T[] }` checked item by item with `item` (list answers like GET /jobs/:id/chunks). */
export function itemsOf<T>(item: ResponseSchema<T>): ResponseSchema<{ items: T[] }> {
  return {
    safeParse(data) {
      const items = (data as { items?: unknown } | null)?.items;
      if (!Array.isArray(items)) return { success: false, error: { issues: [{ path: ['items'], message: 'expected a list' }] } };
      const out: T[] = [];
      for (const [i, value] of items.entries()) {
        const parsed = item.safeParse(value);
        if (!parsed.success) return { success: false, error: { issues: parsed.error.issues.map((issue) => ({ ...issue, path: ['items', i, ...issue.path] })) } };
        out.push(parsed.data);
      }
      return { success: true, data: { items: out } };
    },
  };
}

/** Tries of one request that the coordinator answers 429 (too many requests). */
const RATE_LIMIT_ATTEMPTS = 8;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
