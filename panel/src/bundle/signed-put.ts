// One request to a signed storage URL: the method, URL and headers exactly as the coordinator
// gave them (no API key), the body streamed from a byte range of a sealed file with an exact
// Content-Length (S3 refuses chunked uploads to presigned URLs).
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { SignedRequestDto } from '@cloudexport/shared';
import { describeNetworkError, errorFromResponse } from '../api/coordinator-client.js';
import { countBytes } from './count-bytes.js';

export class TransferError extends Error {
  override readonly name = 'TransferError';
  constructor(
    message: string,
    /** Another try may succeed (a dropped connection, storage trouble, an expired link). */
    readonly retryable: boolean,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ByteRange {
  file: string;
  offset: number;
  size: number;
}

export async function putSigned(
  request: Pick<SignedRequestDto, 'method' | 'url' | 'headers'>,
  range: ByteRange,
  options: { onBytes?: (n: number) => void; signal?: AbortSignal; fetch?: typeof fetch } = {},
): Promise<void> {
  if (request.method !== 'PUT') throw new TransferError(`The coordinator gave a ${request.method} link to upload to; expected PUT. Update the CLI.`, false, 0);
  const headers = new Headers(request.headers);
  headers.set('content-length', String(range.size));
  const source = range.size === 0 ? [] : createReadStream(range.file, { start: range.offset, end: range.offset + range.size - 1 });
  const body = Readable.toWeb(Readable.from(countBytes(source, options.onBytes))) as ReadableStream<Uint8Array>;
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(request.url, {
      method: 'PUT',
      headers,
      body,
      duplex: 'half',
      ...(options.signal ? { signal: options.signal } : {}),
    } as RequestInit);
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new TransferError(`The upload to storage was cut off (${describeNetworkError(err)}).`, true, 0);
  }
  if (!response.ok) {
    const err = await errorFromResponse(response, 'Upload to storage');
    // 403: the link expired or was refused; asking the coordinator again gives a fresh one
    throw new TransferError(err.message, err.retryable || response.status === 403, response.status);
  }
  await response.body?.cancel().catch(() => {});
}
