// UPLOADING, for every kind of chunk: its files are sealed under a fresh key, announced
// (output:begin) and PUT, with byte progress that also keeps the chunk's lease.
import { join } from 'node:path';
import { ChunkKind, newContentKey, type ChunkAssignment } from '@cloudexport/shared';
import { sealOutputs, uploadOutputs, type SealedOutput } from '../bundle/output-upload.js';
import { failed, STOPPED, type ChunkChannel, type ChunkOutcome, type ChunkRunnerOptions } from './chunk-channel.js';

/** Calls `report` for byte progress at most once per `intervalMs`, and always for the last byte. */
export function throttled(intervalMs: number, report: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < intervalMs) return;
    last = now;
    report(done, total);
  };
}

export const mib = (bytes: number) => Math.round((bytes / 1024 ** 2) * 10) / 10;

/** UPLOADING: seals and sends the chunk's files, then it is done with `frames` frames. */
export async function upload(a: ChunkAssignment, files: string[], frames: number, chunkDir: string, options: ChunkRunnerOptions, channel: ChunkChannel, signal: AbortSignal): Promise<ChunkOutcome> {
  channel.progress('UPLOADING', frames, a.frameEnd);
  const uploaded = await sendOutputs(files, chunkDir, options, channel, signal, (done, total) => {
    options.log.info({ state: 'UPLOADING', bytes: done, totalBytes: total, mib: mib(done), ofMib: mib(total) }, `uploading the ${a.kind === ChunkKind.frames ? 'frames' : a.kind === ChunkKind.audio ? 'audio' : 'deliverable'}`);
    channel.progress('UPLOADING', frames, a.frameEnd);
  });
  if (signal.aborted) return STOPPED;
  return uploaded ?? { kind: 'done', frames };
}

/** Seals, announces and uploads the files; null when all went up, else the failure. */
async function sendOutputs(
  files: string[],
  chunkDir: string,
  options: ChunkRunnerOptions,
  channel: ChunkChannel,
  signal: AbortSignal,
  report: (done: number, total: number) => void,
): Promise<ChunkOutcome | null> {
  const key = newContentKey();
  try {
    let sealed: SealedOutput[];
    try {
      sealed = await sealOutputs(files, join(chunkDir, 'sealed'), key, { signal });
    } catch (err) {
      return failed('internal', `Sealing the rendered frames failed: ${(err as Error).message}`);
    }
    const answer = await channel.beginOutputs({
      key: Buffer.from(key).toString('base64'),
      files: sealed.map(({ name, size, sha256, sealedSize }) => ({ name, size, sha256, sealedSize })),
    });
    if (!answer.ok) return failed('internal', `The coordinator would not take the rendered frames: ${answer.message}`);
    const total = sealed.reduce((sum, s) => sum + s.sealedSize, 0);
    let done = 0;
    const progress = throttled(options.progressIntervalMs ?? 2_000, report);
    progress(0, total);
    try {
      await uploadOutputs(sealed, answer.uploads, {
        ...options.upload,
        signal,
        onBytes: (n) => {
          done += n;
          progress(done, total);
        },
      });
    } catch (err) {
      return failed('internal', `Uploading the rendered frames failed: ${(err as Error).message}`);
    }
    options.log.info({ files: sealed.length, mib: mib(total) }, 'frames uploaded');
    return null;
  } finally {
    key.fill(0);
  }
}
