import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError, StorageErrorCode } from './object-storage.js';
import { sizeMismatch } from './upload-limits.js';

/**
 * Streams `body` into a new file at `path`, stopping as soon as it passes `expected` bytes
 * (or `limit` when the size is not declared) and refusing any count other than `expected`.
 * On any failure the file is removed. Returns the byte count.
 */
export async function writeExactly(body: Readable, path: string, options: { key: string; expected?: number; limit: number }): Promise<number> {
  const { key, expected } = options;
  const limit = expected ?? options.limit;
  let count = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      count += chunk.length;
      if (count <= limit) return done(null, chunk);
      done(
        expected === undefined
          ? new StorageError(StorageErrorCode.tooLarge, `Upload to ${key} refused: more than ${limit} bytes. Nothing was stored.`, { limit })
          : sizeMismatch(key, expected, count),
      );
    },
  });
  // The body is piped, not handed to pipeline: on a refusal it is only unpiped, so an HTTP
  // request stays open long enough to carry the 4xx answer.
  const onError = (err: Error) => counter.destroy(err);
  const onClose = () => {
    if (!body.readableEnded) counter.destroy(new StorageError(StorageErrorCode.sizeMismatch, `Upload to ${key} was interrupted after ${count} bytes; nothing was stored.`));
  };
  body.once('error', onError);
  body.once('close', onClose);
  // a body already read (by a body parser, say) counts as zero bytes
  if (body.readableEnded || body.destroyed) counter.end();
  else body.pipe(counter);
  try {
    await pipeline(counter, createWriteStream(path, { flags: 'wx' }));
    if (expected !== undefined && count !== expected) throw sizeMismatch(key, expected, count);
    return count;
  } catch (err) {
    await unlink(path).catch(() => undefined);
    throw err;
  } finally {
    body.unpipe(counter);
    body.off('error', onError);
    body.off('close', onClose);
  }
}
