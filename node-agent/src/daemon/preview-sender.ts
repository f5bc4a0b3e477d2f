// Live previews: while a chunk renders, a small JPEG of its newest finished frame goes to the
// coordinator every few seconds, for the artist to watch. Best effort from end to end: a node
// without ffmpeg, a frame ffmpeg cannot read or a preview the coordinator refuses costs nothing
// but that preview, and never touches the render.
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_PREVIEW_BASE64, type ChunkPreview } from '@cloudexport/shared';
import type { Logger } from 'pino';

/** A preview as the sender makes it; the chunk's channel adds chunkId and epoch. */
export type FramePreview = Omit<ChunkPreview, 'chunkId' | 'epoch'>;

export interface PreviewOptions {
  /** The chunk's frames folder, where aerender writes `frame_00042.tif` (or `.png`). */
  outputDir: string;
  /** The ffmpeg to convert with; null when the node has none, and then nothing is sent. */
  ffmpegPath: string | null;
  /** How often to look for a newer finished frame, and the least time between two sends. Default 3000 ms. */
  intervalMs?: number;
  /** Widest preview in pixels; narrower frames keep their size. Default 320. */
  maxWidth?: number;
  /** Sends one preview. Awaited: a slow coordinator gets fewer previews, not a pile of them. */
  send(preview: FramePreview): unknown;
  log: Logger;
  /** Stops the previews as stop() does (the chunk's signal). */
  signal?: AbortSignal;
}

export interface PreviewSender {
  /** Resolves once no conversion runs and nothing more will be sent. */
  stop(): Promise<void>;
}

/** What aerender writes: `frame_` and the comp frame number (see frameSequencePath). */
const FRAME_FILE = /^frame_(\d+)\.(tiff?|png)$/i;
/** The highest-numbered frames watched for being finished, each interval. */
const WATCHED = 8;
const CONVERT_TIMEOUT_MS = 20_000;
const MAX_JPEG_BYTES = (MAX_PREVIEW_BASE64 / 4) * 3;

interface Mark {
  frame: number;
  size: number;
  mtimeMs: number;
}

/**
 * Every `intervalMs`, sends the newest finished frame of `outputDir` newer than the last one
 * tried, as a JPEG at most `maxWidth` wide. A frame counts as finished once its file has not
 * changed (same size and modification time) over a whole interval: aerender writes a frame's
 * file while it renders it, and with multi-frame rendering several frames are written at once
 * and finish out of order, so neither "the newest file" nor "one below the newest" is safe.
 * One conversion at a time; the next look comes `intervalMs` after the last one ended.
 */
export function startPreviews(options: PreviewOptions): PreviewSender {
  const { outputDir, log, signal } = options;
  const intervalMs = options.intervalMs ?? 3_000;
  const maxWidth = options.maxWidth ?? 320;
  if (!options.ffmpegPath || signal?.aborted) {
    if (!options.ffmpegPath) log.debug('no ffmpeg on this node: no live previews');
    return { stop: async () => {} };
  }
  const ffmpegPath = options.ffmpegPath;

  const stopper = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let lastTried = -1;
  // the files watched at the last look, with what they were then
  let watched = new Map<string, Mark>();

  const stop = async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    stopper.abort();
    signal?.removeEventListener('abort', onAbort);
    await running;
  };
  const onAbort = () => void stop();
  signal?.addEventListener('abort', onAbort, { once: true });

  const loop = async () => {
    timer = null;
    if (stopped) return;
    running = look().catch((err: unknown) => log.debug({ err: (err as Error).message }, 'preview skipped'));
    await running;
    if (!stopped) timer = setTimeout(() => void loop(), intervalMs);
  };

  async function look(): Promise<void> {
    const names = await readdir(outputDir).catch(() => [] as string[]);
    const newest = names
      .map((name) => ({ name, frame: Number(FRAME_FILE.exec(name)?.[1] ?? -1) }))
      .filter((f) => f.frame > lastTried)
      .sort((a, b) => b.frame - a.frame)
      .slice(0, WATCHED);
    const marks = new Map<string, Mark>();
    for (const name of new Set([...watched.keys(), ...newest.map((f) => f.name)])) {
      const s = await stat(join(outputDir, name)).catch(() => null);
      const frame = Number(FRAME_FILE.exec(name)![1]);
      if (s?.isFile() && frame > lastTried) marks.set(name, { frame, size: s.size, mtimeMs: s.mtimeMs });
    }
    let pick: { name: string; frame: number } | null = null;
    for (const [name, before] of watched) {
      const now = marks.get(name);
      if (now && now.size > 0 && now.size === before.size && now.mtimeMs === before.mtimeMs && now.frame > (pick?.frame ?? -1)) pick = { name, frame: now.frame };
    }
    watched = new Map(newest.flatMap((f) => (marks.has(f.name) ? [[f.name, marks.get(f.name)!] as const] : [])));
    if (!pick || stopped) return;
    // tried once, whatever comes of it: a frame ffmpeg cannot read is not read again every interval
    lastTried = pick.frame;
    const jpeg = await convert(ffmpegPath, join(outputDir, pick.name), maxWidth, stopper.signal);
    if (jpeg === 'unavailable') {
      log.info({ ffmpegPath }, 'no live previews for this chunk: ffmpeg could not be started');
      stopped = true;
      return;
    }
    if (stopped) return;
    if ('failed' in jpeg) return log.debug({ frame: pick.frame, reason: jpeg.failed }, 'preview skipped: ffmpeg could not convert the frame');
    const size = jpegSize(jpeg.jpeg);
    if (!size) return log.debug({ frame: pick.frame }, 'preview skipped: ffmpeg wrote no readable JPEG');
    await untilAborted(Promise.resolve(options.send({ frame: pick.frame, ...size, jpeg: jpeg.jpeg.toString('base64') })), stopper.signal);
  }

  void loop();
  return { stop };
}

type Converted = { jpeg: Buffer } | { failed: string } | 'unavailable';

/** The frame as a JPEG at most `maxWidth` wide (and 4 × that tall), in memory. */
function convert(ffmpegPath: string, file: string, maxWidth: number, signal: AbortSignal): Promise<Converted> {
  // the alpha channel is dropped; 16-bit and 8-bit RGBA TIFFs both come out as 8-bit 4:2:0
  const scale = `scale=w='min(iw,${maxWidth})':h='min(ih,${maxWidth * 4})':force_original_aspect_ratio=decrease:force_divisible_by=2,format=yuvj420p`;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-frames:v', '1', '-vf', scale, '-q:v', '5', '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:1'];
  return new Promise((resolve) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], signal, timeout: CONVERT_TIMEOUT_MS, windowsHide: true });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_JPEG_BYTES) child.kill();
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    // 'error' without 'close' when it never started; after an abort both come
    child.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT' || err.code === 'EACCES' ? 'unavailable' : { failed: err.message }));
    child.once('close', (code) => {
      if (code === 0 && bytes > 0 && bytes <= MAX_JPEG_BYTES) return resolve({ jpeg: Buffer.concat(chunks) });
      resolve({ failed: bytes > MAX_JPEG_BYTES ? `JPEG over ${MAX_JPEG_BYTES} bytes` : `exit ${code}: ${stderr.trim()}` });
    });
  });
}

/** Width and height from a JPEG's start-of-frame segment; null when there is none. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } | null {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return null;
  let at = 2;
  while (at + 9 <= jpeg.length) {
    if (jpeg[at] !== 0xff) return null;
    const marker = jpeg[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // SOF0 to SOF15; C4 (Huffman tables), C8 and CC (arithmetic coding) are not frame headers
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: jpeg.readUInt16BE(at + 5), width: jpeg.readUInt16BE(at + 7) };
    }
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  return null;
}

/** Waits for `promise`, or only until `signal` aborts; its failure is logged by the caller. */
function untilAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
