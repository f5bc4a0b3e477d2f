// The inputs of an assemble chunk, from storage to plaintext files ffmpeg can read:
//   check the ticket (one contiguous frame range, each frame once, one extension, at most one sound)
//   open every input's key with this node's box key
//   each file through downloadSealed (decrypted and checked: sizes, records, sha256), retried
// Frames land as <dir>/frames/frame_<6-digit frame>.<ext>, the sound as <dir>/audio.<ext>. Nothing is
// written outside `dir`, and on failure nothing this call wrote is left behind.
import { mkdir, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BundleCryptoError, ciphertextSize, openSealedKey, openSealedKeys, type AssemblyInput, type AssemblyTicket } from '@cloudexport/shared';
import { mapLimit } from '../bundle/map-limit.js';
import { downloadSealed } from '../bundle/sealed-download.js';
import { isTransient, TransferRefusedError, TransientTransferError, withRetries, type RetryOptions } from '../bundle/signed-request.js';

export interface FetchInputsOptions extends Omit<RetryOptions, 'signal'> {
  /** The assembly's own folder, created when missing; its `frames` folder and sound file are replaced. */
  dir: string;
  /** This node's X25519 secret key: it opens each input's sealed key. */
  boxSecretKey: Uint8Array;
  signal?: AbortSignal;
  /** Downloads at once; default 8. */
  concurrency?: number;
  /** Sealed bytes received so far (it goes back when a retry starts a file over) and in all. */
  onBytes?: (done: number, total: number) => void;
}

export interface FetchedInputs {
  /** `<dir>/frames`. */
  framesDir: string;
  /** The comp frame number of the first frame. */
  firstFrame: number;
  frameCount: number;
  /** The frames' file extension without the dot, as rendered: `tif`. */
  extension: string;
  /** ffmpeg's image2 pattern of the frames: `<dir>/frames/frame_%06d.tif` (any `%` in dir doubled). */
  pattern: string;
  /** `<dir>/audio.<ext>`, or null when the ticket has no sound. */
  audioPath: string | null;
  /** Plaintext bytes written. */
  bytes: number;
}

/** The ticket is not one the assembly can use, or a file is not what its ticket says. */
export class AssemblyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyInputError';
  }
}

const DEFAULT_CONCURRENCY = 8;
const FRAME_DIGITS = 6;

/** `frame_000042.tif`: a frame's file name in the frames folder and in a packed image sequence. */
export function frameFileName(frame: number, extension: string): string {
  return `frame_${String(frame).padStart(FRAME_DIGITS, '0')}.${extension}`;
}

interface Download {
  input: AssemblyInput;
  /** `frame 42 (frame_00042.tif)` or `the sound (audio.aif)`, for messages. */
  label: string;
  path: string;
}

interface InputPlan {
  downloads: Download[];
  firstFrame: number;
  frameCount: number;
  extension: string;
  audioPath: string | null;
}

const labelOf = (input: AssemblyInput) => (input.role === 'frame' ? `frame ${input.frame} (${input.name})` : `the comp's sound (${input.name})`);

function extensionOf(input: AssemblyInput): string {
  const ext = extname(input.name).slice(1);
  if (ext === '') throw new AssemblyInputError(`${labelOf(input)} has no file extension, so its format is unknown; the coordinator must list the file under the name it was rendered with. Nothing was downloaded.`);
  return ext;
}

/** Checks the ticket and decides where each input goes; throws before anything is downloaded. */
function planInputs(ticket: AssemblyTicket, dir: string): InputPlan {
  const refuse = (problem: string) => new AssemblyInputError(`${problem} Nothing was downloaded; the assemble chunk needs a ticket that lists every frame of the range once.`);
  const frames: AssemblyInput[] = [];
  const sounds: AssemblyInput[] = [];
  for (const input of ticket.inputs) {
    if (input.role === 'frame') {
      if (input.frame === null) throw refuse(`Frame file ${input.name} in the assembly ticket has no frame number.`);
      frames.push(input);
    } else {
      if (input.frame !== null) throw refuse(`The sound ${input.name} in the assembly ticket carries a frame number (${input.frame}); sound has none.`);
      sounds.push(input);
    }
    const expected = ciphertextSize(input.size, input.recordSize);
    if (input.sealedSize !== expected) {
      throw refuse(`The ticket's sizes for ${labelOf(input)} disagree: ${input.size} bytes sealed in ${input.recordSize}-byte records are ${expected} sealed bytes, not ${input.sealedSize}.`);
    }
  }
  if (frames.length === 0) throw refuse('The assembly ticket lists no frames.');
  if (sounds.length > 1) throw refuse(`The assembly ticket lists ${sounds.length} sound files (${sounds.map((s) => s.name).join(', ')}); a comp has one.`);

  frames.sort((a, b) => (a.frame as number) - (b.frame as number));
  for (let i = 1; i < frames.length; i += 1) {
    const [before, after] = [frames[i - 1] as AssemblyInput, frames[i] as AssemblyInput];
    const [a, b] = [before.frame as number, after.frame as number];
    if (a === b) throw refuse(`Frame ${a} is listed twice in the assembly ticket (${before.name} and ${after.name}).`);
    if (b > a + 1) {
      const missing = frames.reduce((n, f, j) => (j === 0 ? 0 : n + (f.frame as number) - (frames[j - 1]?.frame as number) - 1), 0);
      throw refuse(`The assembly ticket skips frame${b === a + 2 ? ` ${a + 1}` : `s ${a + 1}–${b - 1}`} (between ${before.name} and ${after.name}); ${missing} frame${missing === 1 ? ' is' : 's are'} missing from ${frames[0]?.frame}–${frames.at(-1)?.frame} in all.`);
    }
  }
  const extension = extensionOf(frames[0] as AssemblyInput);
  const other = frames.find((f) => extensionOf(f) !== extension);
  if (other) throw refuse(`The frames mix .${extension} and .${extensionOf(other)} files (${frames[0]?.name}, ${other.name}); one image sequence has one format.`);

  const framesDir = join(dir, 'frames');
  const downloads: Download[] = frames.map((input) => ({ input, label: labelOf(input), path: join(framesDir, frameFileName(input.frame as number, extension)) }));
  const sound = sounds[0];
  const audioPath = sound ? join(dir, `audio.${extensionOf(sound)}`) : null;
  if (sound && audioPath) downloads.push({ input: sound, label: labelOf(sound), path: audioPath });
  return { downloads, firstFrame: frames[0]?.frame as number, frameCount: frames.length, extension, audioPath };
}

const RERUN = 'The frames chunk that made it must be rendered again.';

async function attempt(d: Download, key: Uint8Array, signal: AbortSignal | undefined, onBytes: (n: number) => void): Promise<void> {
  await downloadSealed({ ...d.input, key }, d.path, {
    label: d.label,
    promise: 'its ticket',
    mismatch: (sentence) => new AssemblyInputError(`${sentence} ${RERUN}`),
    ...(signal ? { signal } : {}),
    onBytes,
  });
}

/** The error of one download, naming its file, of the same kind (so retries still tell transient from not). */
function named(d: Download, err: unknown): unknown {
  if (err instanceof AssemblyInputError || (err as Error | null)?.name === 'AbortError') return err;
  if (err instanceof BundleCryptoError) {
    return new AssemblyInputError(`${d.label} failed decryption${err.record === undefined ? '' : ` at record ${err.record}`} (${err.code}): it was altered or cut short in storage, or sealed under another key. ${RERUN}`);
  }
  if (err instanceof TransferRefusedError) return new TransferRefusedError(`${d.label}: ${err.message}`, err.status);
  if (isTransient(err)) return new TransientTransferError(`${d.label}: ${(err as Error).message}`, { cause: err });
  return err;
}

function openKeys(downloads: readonly Download[], boxSecretKey: Uint8Array): Uint8Array[] {
  const sealed = downloads.map((d) => new Uint8Array(Buffer.from(d.input.sealedKey, 'base64')));
  try {
    return openSealedKeys(sealed, boxSecretKey);
  } catch (err) {
    // Name the input whose key failed (the batch open stops at the first without saying which).
    for (const [i, s] of sealed.entries()) {
      try {
        openSealedKey(s, boxSecretKey).fill(0);
      } catch (one) {
        const d = downloads[i] as Download;
        throw new AssemblyInputError(`The key of ${d.label} could not be opened with this node's key: ${(one as Error).message} Nothing was downloaded.`);
      }
    }
    throw err;
  }
}

/**
 * Downloads, decrypts and verifies every input of `ticket` into `options.dir`, `concurrency` at a
 * time, retrying dropped connections and 5xx answers. Throws AssemblyInputError for a ticket that
 * does not cover one contiguous frame range exactly once, or a file that is not what its ticket
 * says (size, sha256, records), naming the file; TransferRefusedError when storage refuses.
 */
export async function fetchInputs(ticket: AssemblyTicket, options: FetchInputsOptions): Promise<FetchedInputs> {
  const plan = planInputs(ticket, options.dir);
  const keys = openKeys(plan.downloads, options.boxSecretKey);
  const framesDir = join(options.dir, 'frames');
  const total = plan.downloads.reduce((n, d) => n + d.input.sealedSize, 0);
  let done = 0;
  const onBytes = (n: number) => {
    done += n;
    options.onBytes?.(done, total);
  };
  const written: string[] = [];
  try {
    // What an earlier try left here goes: files are created exclusively, never overwritten.
    await rm(framesDir, { recursive: true, force: true });
    if (plan.audioPath) await rm(plan.audioPath, { force: true });
    await mkdir(framesDir, { recursive: true });
    await mapLimit(plan.downloads, options.concurrency ?? DEFAULT_CONCURRENCY, async (d, i) => {
      options.signal?.throwIfAborted();
      const retry: RetryOptions = { attempts: options.attempts, retryDelayMs: options.retryDelayMs, signal: options.signal };
      await withRetries(async () => {
        let received = 0;
        written.push(d.path);
        try {
          await attempt(d, keys[i] as Uint8Array, options.signal, (n) => {
            received += n;
            onBytes(n);
          });
        } catch (err) {
          if (received > 0) onBytes(-received);
          await rm(d.path, { force: true });
          throw named(d, err);
        }
      }, retry);
    });
  } catch (err) {
    await Promise.all(written.map((path) => rm(path, { force: true })));
    throw err;
  } finally {
    for (const key of keys) key.fill(0);
  }
  return {
    framesDir,
    firstFrame: plan.firstFrame,
    frameCount: plan.frameCount,
    extension: plan.extension,
    // Output names are letters, digits, '.', '_' and '-': only the folder can hold a '%'.
    pattern: join(framesDir.replaceAll('%', '%%'), `frame_%0${FRAME_DIGITS}d.${plan.extension}`),
    audioPath: plan.audioPath,
    bytes: plan.downloads.reduce((n, d) => n + d.input.size, 0),
  };
}
