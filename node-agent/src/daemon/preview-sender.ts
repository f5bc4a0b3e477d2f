// Live previews: while a chunk renders, a small JPEG of its newest finished frame goes to the
// coordinator within a second of aerender reporting it, for the artist to watch. Best effort
// from end to end: a node without ffmpeg, a frame ffmpeg cannot read or a preview the
// coordinator refuses costs nothing but that preview, and never touches the render.
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
  /** How often to look for a frame whose file stopped changing: the fallback while the engine reports no frames. Default 3000 ms. */
  intervalMs?: number;
  /** Least time between two previews sent. Default 1000 ms. */
  minIntervalMs?: number;
  /** Widest preview in pixels; narrower frames keep their size. Default 320. */
  maxWidth?: number;
  /** Sends one preview. Awaited: a slow coordinator gets fewer previews, not a pile of them. */
  send(preview: FramePreview): unknown;
  log: Logger;
  /** Stops the previews as stop() does (the chunk's signal). */
  signal?: AbortSignal;
}

export interface PreviewSender {
  /** The engine reported comp frame `frame` finished: it is converted and sent at once, or as soon as `minIntervalMs` allows. */
  frameDone(frame: number): void;
  /** Resolves once no conversion runs and nothing more will be sent. */
  stop(): Promise<void>;
}

/** What aerender writes: `frame_` and the comp frame number (see frameSequencePath). */
const FRAME_FILE = /^frame_(\d+)\.(tiff?|png)$/i;
/** The highest-numbered frames watched for being finished, each interval. */
const WATCHED = 8;
const CONVERT_TIMEOUT_MS = 20_000;
const MAX_JPEG_BYTES = (MAX_PREVIEW_BASE64 / 4) * 3;
/**
 * A frame reported while previews were not allowed is stale by the time they are: the engine
 * reports about every 500 ms while frames finish, so the next, fresher report is awaited, but
 * never longer than this after the stale one (the chunk's last frame has no successor).
 */
const FRESHER_WAIT_MS = 600;

interface Mark {
  frame: number;
  size: number;
  mtimeMs: number;
}

/**
 * Sends the newest finished frame of `outputDir`, as a JPEG at most `maxWidth` wide, never an
 * older one than the last tried, at most one per `minIntervalMs`, one conversion at a time.
 *
 * A frame is finished when the engine says so (`frameDone`, from aerender's progress lines,
 * printed once the frame is written): it goes out at once, so the artist sees it within about
 * a second. As a fallback (an engine that reports nothing, a report that came before the file),
 * every `intervalMs` the newest files are looked at, and one counts as finished once it has not
 * changed (same size and modification time) over a whole interval: aerender writes a frame's
 * file while it renders it, and with multi-frame rendering several frames are written at once
 * and finish out of order, so neither "the newest file" nor "one below the newest" is safe.
 */
export function startPreviews(options: PreviewOptions): PreviewSender {
  const { outputDir, log, signal } = options;
  const intervalMs = options.intervalMs ?? 3_000;
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const maxWidth = options.maxWidth ?? 320;
  if (!options.ffmpegPath || signal?.aborted) {
    if (!options.ffmpegPath) log.debug('no ffmpeg on this node: no live previews');
    return { frameDone: () => {}, stop: async () => {} };
  }
  const ffmpegPath = options.ffmpegPath;

  const stopper = new AbortController();
  let stopped = false;
  let lookTimer: NodeJS.Timeout | null = null;
  let reportTimer: NodeJS.Timeout | null = null;
  // the reported frame's conversion waits in `queue`: later reports just raise `reported`
  let reportQueued = false;
  // one conversion at a time, whichever path asked for it
  let queue: Promise<void> = Promise.resolve();
  let lastTried = -1;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  // the highest frame the engine reported done and not yet tried, with when it said so
  let reported: { frame: number; at: Date } | null = null;
  // the files watched at the last look, with what they were then
  let watched = new Map<string, Mark>();

  const stop = async () => {
    stopped = true;
    for (const timer of [lookTimer, reportTimer]) if (timer) clearTimeout(timer);
    lookTimer = reportTimer = null;
    stopper.abort();
    signal?.removeEventListener('abort', onAbort);
    await queue;
  };
  const onAbort = () => void stop();
  signal?.addEventListener('abort', onAbort, { once: true });

  const serially = (task: () => Promise<void>): Promise<void> => {
    queue = queue.then(() => (stopped ? undefined : task())).catch((err: unknown) => log.debug({ err: (err as Error).message }, 'preview skipped'));
    return queue;
  };
  const untilAllowed = () => Math.max(0, lastSentAt + minIntervalMs - Date.now());

  const loop = async () => {
    lookTimer = null;
    if (stopped) return;
    await serially(look);
    if (!stopped) lookTimer = setTimeout(() => void loop(), intervalMs);
  };

  function frameDone(frame: number): void {
    if (stopped || !Number.isInteger(frame) || frame <= lastTried || (reported && frame <= reported.frame)) return;
    reported = { frame, at: new Date() };
    if (untilAllowed() === 0) runReported();
    else scheduleReported();
  }

  /** Waits until a preview is allowed, then for a fresher report than the one waiting (FRESHER_WAIT_MS at most). */
  function scheduleReported(): void {
    if (stopped || reportTimer || reportQueued) return;
    reportTimer = setTimeout(() => {
      reportTimer = null;
      const staleFor = reported ? reported.at.getTime() + FRESHER_WAIT_MS - Date.now() : 0;
      if (staleFor > 0 && untilAllowed() === 0) reportTimer = setTimeout(runReported, staleFor);
      else runReported();
    }, untilAllowed());
  }

  /** Converts the newest reported frame next: at once, or after the conversion running now. */
  function runReported(): void {
    if (reportTimer) clearTimeout(reportTimer);
    reportTimer = null;
    if (stopped || reportQueued) return;
    reportQueued = true;
    void serially(async () => {
      reportQueued = false;
      await sendReported();
    });
  }

  async function sendReported(): Promise<void> {
    const pick = reported;
    if (!pick || pick.frame <= lastTried) return;
    // a look may have sent one while this waited its turn
    if (untilAllowed() > 0) return scheduleReported();
    reported = null;
    const name = await finishedFile(outputDir, pick.frame);
    // not on disk (yet): the look finds it once it is
    if (!name || stopped) return;
    await convertAndSend(name, pick.frame, pick.at);
  }

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
    // too soon after the last preview: still finished at the next look
    if (!pick || stopped || untilAllowed() > 0) return;
    await convertAndSend(pick.name, pick.frame, new Date());
  }

  async function convertAndSend(name: string, frame: number, renderedAt: Date): Promise<void> {
    // tried once, whatever comes of it: a frame ffmpeg cannot read is not read again every interval
    lastTried = frame;
    if (reported && reported.frame <= frame) reported = null;
    const jpeg = await convert(ffmpegPath, join(outputDir, name), maxWidth, stopper.signal);
    if (jpeg === 'unavailable') {
      log.info({ ffmpegPath }, 'no live previews for this chunk: ffmpeg could not be started');
      stopped = true;
      return;
    }
    if (stopped) return;
    if ('failed' in jpeg) return log.debug({ frame, reason: jpeg.failed }, 'preview skipped: ffmpeg could not convert the frame');
    const size = jpegSize(jpeg.jpeg);
    if (!size) return log.debug({ frame }, 'preview skipped: ffmpeg wrote no readable JPEG');
    lastSentAt = Date.now();
    await untilAborted(Promise.resolve(options.send({ frame, ...size, jpeg: jpeg.jpeg.toString('base64'), renderedAt: renderedAt.toISOString() })), stopper.signal);
  }

  void loop();
  return { frameDone, stop };
}

/** The non-empty file of comp frame `frame` in `dir`, or null. */
async function finishedFile(dir: string, frame: number): Promise<string | null> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = FRAME_FILE.exec(name);
    if (!match || Number(match[1]) !== frame) continue;
    const s = await stat(join(dir, name)).catch(() => null);
    if (s?.isFile() && s.size > 0) return name;
  }
  return null;
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
