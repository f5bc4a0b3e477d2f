// Requests against storage made exactly as the coordinator signed them: its method, its URL and
// its headers, nothing rewritten. node:http rather than fetch, so a streamed PUT carries an exact
// Content-Length (S3 refuses chunked uploads) and no header is added or dropped behind our back.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** A signed storage request (SignedRequestDto without its expiry). */
export interface SignedRequest {
  method: 'GET' | 'PUT';
  url: string;
  headers: Record<string, string>;
}

/** A failure worth another try: the network dropped, or storage answered 5xx, 408 or 429. */
export class TransientTransferError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientTransferError';
  }
}

/** Storage refused the request in a way no retry fixes (403 expired signature, 404, …). */
export class TransferRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'TransferRefusedError';
  }
}

export interface RetryOptions {
  /** Tries in all, the first included. Default 4. */
  attempts?: number;
  /** Delay before the second try, doubled each time, ±25 % jitter. Default 500 ms. */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET']);
/** No byte for this long on a connection: it is dead. */
const IDLE_TIMEOUT_MS = 60_000;

/** Whether `err` is a dropped connection or a retryable answer (not a refusal, an integrity failure or an abort). */
export function isTransient(err: unknown): boolean {
  if (err instanceof TransientTransferError) return true;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/**
 * Sends `request` and resolves with the response once its head arrived (the body still to read).
 * `body` is streamed with exactly `contentLength` declared; a signed Content-Length that differs
 * is refused before anything is sent.
 */
export function sendSigned(request: SignedRequest, options: { body?: () => Readable; contentLength?: number; signal?: AbortSignal } = {}): Promise<IncomingMessage> {
  const url = new URL(request.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new TransferRefusedError(`Storage URL ${url.origin} is not http(s).`, 0));
  const headers: Record<string, string> = { ...request.headers };
  if (options.contentLength !== undefined) {
    const signed = Object.keys(headers).find((h) => h.toLowerCase() === 'content-length');
    if (signed && headers[signed] !== String(options.contentLength)) {
      return Promise.reject(new TransferRefusedError(`The signed request expects ${headers[signed]} bytes but the file has ${options.contentLength}.`, 0));
    }
    if (!signed) headers['content-length'] = String(options.contentLength);
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = client.request(url, { method: request.method, headers, ...(options.signal ? { signal: options.signal } : {}) }, resolve);
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new TransientTransferError(`No answer from storage for ${IDLE_TIMEOUT_MS / 1000} s.`)));
    req.on('error', (err) => {
      if (options.signal?.aborted) reject(options.signal.reason ?? err);
      else reject(isTransient(err) && !(err instanceof TransientTransferError) ? new TransientTransferError(`Network error talking to storage: ${err.message}`, { cause: err }) : err);
    });
    if (!options.body) return void req.end();
    const body = options.body();
    body.on('error', (err) => req.destroy(err));
    body.pipe(req);
  });
}

/** Reads at most `limit` bytes of an error answer, for the message. */
export async function readSnippet(res: IncomingMessage, limit = 500): Promise<string> {
  let text = '';
  try {
    for await (const part of res) {
      text += (part as Buffer).toString('utf8');
      if (text.length >= limit) break;
    }
  } catch {
    // an error body that breaks off says nothing more
  }
  res.destroy();
  return text.slice(0, limit).replace(/\s+/g, ' ').trim();
}

/** Turns a non-2xx answer into the error to throw: transient for 5xx/408/429, a refusal otherwise. */
export async function statusError(res: IncomingMessage, what: string): Promise<Error> {
  const status = res.statusCode ?? 0;
  const snippet = await readSnippet(res);
  const message = `Storage answered ${status} to ${what}${snippet ? `: ${snippet}` : ''}`;
  if (RETRY_STATUS.has(status)) return new TransientTransferError(message);
  const hint = status === 403 ? ' The signed URL may have expired (they last 1 hour); the chunk will be retried.' : '';
  return new TransferRefusedError(`${message}.${hint}`, status);
}

/** Runs `attempt` until it succeeds, retrying transient failures with exponential backoff. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  let delay = options.retryDelayMs ?? 500;
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= attempts || !isTransient(err) || options.signal?.aborted) throw err;
      await sleep(Math.round(delay * (0.75 + Math.random() * 0.5)), undefined, options.signal ? { signal: options.signal } : {});
      delay *= 2;
    }
  }
}
