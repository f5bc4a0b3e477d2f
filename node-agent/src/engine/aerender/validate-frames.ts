import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type FrameValidation =
  | { ok: true; frames: string[] }
  | { ok: false; missing: number[]; tooSmall: number[]; message: string };

export type AudioFileValidation = { ok: true; path: string } | { ok: false; message: string };

/** Smallest plausible image file; anything shorter is a truncated or placeholder write. */
export const DEFAULT_MIN_FRAME_BYTES = 64;
const TOKEN = /\[(#+)\]/;
const LISTED = 10;

/** `frame_[#####].png` + 42 → `frame_00042.png` (more digits when the number needs them, as AE does). */
export function frameFileName(pattern: string, frame: number): string {
  const token = TOKEN.exec(pattern);
  if (!token?.[1]) throw new Error(`Output pattern "${pattern}" has no [###] frame-number token; the output must be an image sequence.`);
  return pattern.replace(TOKEN, String(frame).padStart(token[1].length, '0'));
}

function list(frames: number[]): string {
  const shown = frames.slice(0, LISTED).join(', ');
  return frames.length > LISTED ? `${shown} and ${frames.length - LISTED} more` : shown;
}

/**
 * Checks that every frame of [frameStart, frameEnd] exists in `outputDir` with at least
 * `minBytes`, and returns their absolute paths in frame order.
 */
export async function validateFrames(
  outputDir: string,
  pattern: string,
  frameStart: number,
  frameEnd: number,
  minBytes: number = DEFAULT_MIN_FRAME_BYTES,
): Promise<FrameValidation> {
  const present = new Set(await readdir(outputDir).catch(() => [] as string[]));
  const frames: string[] = [];
  const missing: number[] = [];
  const tooSmall: number[] = [];
  for (let frame = frameStart; frame <= frameEnd; frame++) {
    const name = frameFileName(pattern, frame);
    const path = join(outputDir, name);
    if (!present.has(name)) {
      missing.push(frame);
      continue;
    }
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) missing.push(frame);
    else if (info.size < minBytes) tooSmall.push(frame);
    else frames.push(path);
  }
  if (missing.length === 0 && tooSmall.length === 0) return { ok: true, frames };
  const total = frameEnd - frameStart + 1;
  const problems = [
    missing.length > 0 ? `missing frame${missing.length > 1 ? 's' : ''} ${list(missing)}` : '',
    tooSmall.length > 0 ? `frame${tooSmall.length > 1 ? 's' : ''} under ${minBytes} bytes: ${list(tooSmall)}` : '',
  ].filter(Boolean);
  return {
    ok: false,
    missing,
    tooSmall,
    message: `After Effects finished but ${missing.length + tooSmall.length} of ${total} frames (${frameStart}–${frameEnd}) are not usable in ${outputDir}: ${problems.join('; ')}. The chunk must be rendered again.`,
  };
}

/**
 * Checks that an audio render left its one file at `path` and that it is an AIFF (an IFF `FORM`
 * of type `AIFF`, or `AIFC` as some writers label it), not an empty or half-written file.
 */
export async function validateAudioFile(path: string): Promise<AudioFileValidation> {
  const info = await stat(path).catch(() => null);
  const again = 'The chunk must be rendered again.';
  if (!info?.isFile()) return { ok: false, message: `After Effects finished but wrote no audio file at ${path}. ${again}` };
  const header = Buffer.alloc(12);
  const file = await open(path, 'r');
  let read: number;
  try {
    ({ bytesRead: read } = await file.read(header, 0, header.length, 0));
  } finally {
    await file.close();
  }
  const form = header.toString('latin1', 0, 4);
  const type = header.toString('latin1', 8, 12);
  if (read < header.length || form !== 'FORM' || (type !== 'AIFF' && type !== 'AIFC')) {
    return { ok: false, message: `After Effects finished but ${path} (${info.size} bytes) is not an AIFF file. ${again}` };
  }
  return { ok: true, path };
}
