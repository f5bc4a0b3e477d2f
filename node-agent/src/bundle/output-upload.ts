// A chunk's rendered frames leave the node sealed, like bundles: one fresh content key per chunk
// (handed to the coordinator in output:begin, which keeps it wrapped), each file sealed to a temp
// file with its plaintext hashed in the same pass, then PUT to the signed URL it was given.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_RECORD_SIZE, outputNameSchema } from '@cloudexport/shared';
import { hashAndEncrypt } from '@cloudexport/shared/node';
import { mapLimit } from './map-limit.js';
import { sendSigned, statusError, TransferRefusedError, withRetries, type RetryOptions, type SignedRequest } from './signed-request.js';

export interface SealedOutput {
  /** The file's name, as output:begin lists it. */
  name: string;
  /** Plaintext bytes. */
  size: number;
  /** Hex sha256 of the plaintext. */
  sha256: string;
  sealedSize: number;
  /** The sealed temp file. */
  sealedPath: string;
}

export interface SealOptions {
  /** Files sealed at once; default 2 (sealing runs at disk speed). */
  parallel?: number;
  signal?: AbortSignal;
}

export interface UploadOptions extends RetryOptions {
  /** PUTs at once; default 4. */
  parallel?: number;
  /** Sealed bytes sent: positive as they go, negative when a retry starts a file over. */
  onBytes?: (delta: number) => void;
}

/** Seals each of `files` under `key` (1 MiB records) into `sealedDir`, hashing the plaintext on the way. */
export async function sealOutputs(files: readonly string[], sealedDir: string, key: Uint8Array, options: SealOptions = {}): Promise<SealedOutput[]> {
  const names = new Set<string>();
  for (const file of files) {
    const name = path.basename(file);
    const valid = outputNameSchema.safeParse(name);
    if (!valid.success) throw new Error(`Rendered file "${name}" cannot be uploaded: ${valid.error.issues[0]?.message ?? 'bad name'}`);
    if (names.has(name)) throw new Error(`Two rendered files are named "${name}"; output names must be unique per chunk.`);
    names.add(name);
  }
  await mkdir(sealedDir, { recursive: true });
  return mapLimit(files, options.parallel ?? 2, async (file) => {
    options.signal?.throwIfAborted();
    const name = path.basename(file);
    const sealedPath = path.join(sealedDir, `${name}.sealed`);
    const sealed = await hashAndEncrypt(createReadStream(file, { highWaterMark: 1024 * 1024 }), createWriteStream(sealedPath, { flags: 'wx', mode: 0o600 }), key, { recordSize: DEFAULT_RECORD_SIZE });
    return { name, size: sealed.plainBytes, sha256: sealed.sha256, sealedSize: sealed.sealedBytes, sealedPath };
  });
}

/**
 * PUTs each sealed output to the request the coordinator gave for its name, exactly as signed,
 * with Content-Length the sealed size, `parallel` at a time, retrying dropped connections and 5xx.
 */
export async function uploadOutputs(outputs: readonly SealedOutput[], uploads: readonly { name: string; request: SignedRequest }[], options: UploadOptions = {}): Promise<void> {
  const byName = new Map(uploads.map((u) => [u.name, u.request]));
  for (const output of outputs) {
    if (!byName.has(output.name)) throw new TransferRefusedError(`The coordinator gave no upload URL for ${output.name}.`, 0);
  }
  await mapLimit(outputs, options.parallel ?? 4, async (output) => {
    const request = byName.get(output.name)!;
    const onDisk = (await stat(output.sealedPath)).size;
    if (onDisk !== output.sealedSize) throw new Error(`Sealed ${output.name} is ${onDisk} bytes on disk, not ${output.sealedSize}: the work folder was changed under the agent.`);
    await withRetries(async () => {
      let sent = 0;
      try {
        const res = await sendSigned(request, {
          contentLength: output.sealedSize,
          ...(options.signal ? { signal: options.signal } : {}),
          body: () =>
            createReadStream(output.sealedPath).on('data', (part) => {
              sent += part.length;
              options.onBytes?.(part.length);
            }),
        });
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) throw await statusError(res, `the upload of ${output.name}`);
        res.resume();
      } catch (err) {
        if (sent > 0) options.onBytes?.(-sent);
        throw err;
      }
    }, options);
  });
}
