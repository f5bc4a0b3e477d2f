// An image-sequence deliverable: the frames themselves in one uncompressed tar, entries
// `frames/frame_<6-digit frame>.<ext>` in frame order, then read back to check it holds exactly
// the range. tar-stream's streams are streamx ones: written with write/drain, not node's pipeline.
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { frameFileName } from './fetch-inputs.js';

export interface FrameRange {
  /** The folder holding the frames, named as frameFileName gives. */
  framesDir: string;
  firstFrame: number;
  frameCount: number;
  /** Without the dot: `tif`. */
  extension: string;
}

export interface PackFramesRequest extends FrameRange {
  outputPath: string;
  signal?: AbortSignal;
  onProgress?: (framesPacked: number, totalFrames: number) => void;
}

/** What the check of a packed image sequence found. */
export interface PackSummary {
  format: 'tar';
  /** File entries in the tar. */
  entries: number;
  /** Bytes of the tar file. */
  bytes: number;
}

export interface PackVerifyResult {
  ok: boolean;
  /** One sentence per failed check: `entry count 5, expected 6`. */
  failures: string[];
  summary: PackSummary;
}

const ENTRY_MODE = 0o644;
/** Mismatched entries named in the failures before the rest are only counted. */
const NAMED_MISMATCHES = 3;

const entryName = (range: FrameRange, index: number) => `frames/${frameFileName(range.firstFrame + index, range.extension)}`;

/** Writes the tar of the range's frames to `outputPath` (replacing it); removes it on failure. */
export async function packFrames(request: PackFramesRequest): Promise<void> {
  const { signal } = request;
  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(request.outputPath, { mode: 0o600 }), signal ? { signal } : {});
  // One time for every entry: the pack's, so the same frames pack the same way within a run.
  const mtime = new Date(Math.floor(Date.now() / 1000) * 1000);
  try {
    for (let i = 0; i < request.frameCount; i += 1) {
      signal?.throwIfAborted();
      const frame = request.firstFrame + i;
      const file = join(request.framesDir, frameFileName(frame, request.extension));
      const { size } = await stat(file).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ENOENT' ? new Error(`frame ${frame} is not in ${request.framesDir} (${frameFileName(frame, request.extension)}); nothing was packed, so the frames must be fetched again`) : err;
      });
      const entry = pack.entry({ name: entryName(request, i), size, mode: ENTRY_MODE, mtime, type: 'file' });
      for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
        if (!entry.write(chunk)) await once(entry, 'drain');
      }
      entry.end();
      await once(entry, 'finish');
      request.onProgress?.(i + 1, request.frameCount);
    }
    pack.finalize();
    await written;
  } catch (err) {
    pack.destroy(err as Error);
    await written.catch(() => undefined);
    await rm(request.outputPath, { force: true });
    throw err;
  }
}

/**
 * Reads a packed image sequence back: every entry a file named for the next frame of the range,
 * as long as that frame's file, and as many entries as frames. Never throws for what the tar
 * holds: an unreadable or cut-short tar is one failure.
 */
export async function verifyFramePack(path: string, range: FrameRange): Promise<PackVerifyResult> {
  const failures: string[] = [];
  let entries = 0;
  let misnamed = 0;
  const extract = tar.extract();
  const source = createReadStream(path);
  source.on('error', (err) => extract.destroy(err));
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      const index = entries;
      entries += 1;
      const expected = entryName(range, index);
      let bytes = 0;
      for await (const chunk of entry) bytes += (chunk as Buffer).length;
      if (entry.header.type !== 'file' || entry.header.name !== expected) {
        misnamed += 1;
        if (misnamed <= NAMED_MISMATCHES) failures.push(`entry ${index + 1} is ${entry.header.type ?? 'an entry'} ${entry.header.name}, expected file ${expected}`);
        continue;
      }
      if (index < range.frameCount) {
        const onDisk = await stat(join(range.framesDir, frameFileName(range.firstFrame + index, range.extension))).then((s) => s.size, () => null);
        if (bytes !== onDisk) failures.push(`${expected} holds ${bytes} bytes, but ${onDisk === null ? 'its frame file is gone' : `its frame file has ${onDisk}`}`);
      }
    }
  } catch (err) {
    failures.push(`the tar could not be read after ${entries} entries: ${(err as Error).message}`);
  } finally {
    source.destroy();
  }
  if (misnamed > NAMED_MISMATCHES) failures.push(`${misnamed - NAMED_MISMATCHES} more entries are not the expected frames`);
  if (entries !== range.frameCount) failures.splice(0, 0, `entry count ${entries}, expected ${range.frameCount} (frames ${range.firstFrame}–${range.firstFrame + range.frameCount - 1})`);
  const bytes = await stat(path).then((s) => s.size, () => 0);
  return { ok: failures.length === 0, failures, summary: { format: 'tar', entries, bytes } };
}
