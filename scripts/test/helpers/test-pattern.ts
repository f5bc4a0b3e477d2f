// Reads back what the aerender TEST DOUBLE (node-agent/test/aerender-double/media.ts) puts in its
// media, after the assembly has scaled, encoded and muxed it: the frame number drawn in each
// picture as 16 vertical bars, and the beep at every comp frame that is a multiple of round(fps).
import { spawn } from 'node:child_process';

/** Bars in the double's picture; bar i from the left is white when bit i of the frame number is set. */
export const PATTERN_BARS = 16;
const SAMPLE_RATE = 48_000;
/** A beep starts where |sample| rises above this (of 32767) after at least BEEP_GAP_S of quiet. */
const BEEP_THRESHOLD = 0.05 * 32767;
const BEEP_GAP_S = 0.01;

function ffmpegOutput(ffmpegPath: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => reject(new Error(`${ffmpegPath} could not be started: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${ffmpegPath} ${args.join(' ')} exited with code ${code}: ${err.trim().slice(-2000)}`));
    });
  });
}

/**
 * The frame number drawn in each video frame of `moviePath` (a movie or an image sequence ffmpeg
 * reads), in decode order. Each bar is averaged down to one grey pixel, so scaling, chroma
 * subsampling and lossy encoding do not change the reading.
 */
export async function readFrameNumbers(moviePath: string, ffmpegPath = 'ffmpeg'): Promise<number[]> {
  const raw = await ffmpegOutput(ffmpegPath, [
    '-v', 'error', '-i', moviePath, '-map', '0:v:0',
    '-vf', `scale=${PATTERN_BARS}:1:flags=area,format=gray`, '-f', 'rawvideo', '-',
  ]);
  const numbers: number[] = [];
  for (let at = 0; at + PATTERN_BARS <= raw.length; at += PATTERN_BARS) {
    let n = 0;
    for (let bar = 0; bar < PATTERN_BARS; bar++) if ((raw[at + bar] ?? 0) > 127) n += 2 ** bar;
    numbers.push(n);
  }
  return numbers;
}

/** Whether `numbers` is exactly first, first+1, …; see frameNumberGaps for what is wrong when not. */
export function frameNumbersAreConsecutive(numbers: readonly number[], first: number): boolean {
  return numbers.every((n, i) => n === first + i);
}

/**
 * Where `numbers` leaves the run first, first+1, …: each position whose number is not the one
 * expected there (`index`, `expected`, `found`), for an assertion message that says what broke.
 */
export function frameNumberGaps(numbers: readonly number[], first: number): Array<{ index: number; expected: number; found: number }> {
  return numbers.flatMap((found, index) => (found === first + index ? [] : [{ index, expected: first + index, found }]));
}

/**
 * The start times in seconds of the beeps in the first audio stream of `moviePath`: decoded to
 * mono 48 kHz, a beep starts where |sample| rises above a threshold after at least 10 ms of quiet.
 */
export async function findBeeps(moviePath: string, ffmpegPath = 'ffmpeg'): Promise<number[]> {
  const raw = await ffmpegOutput(ffmpegPath, [
    '-v', 'error', '-i', moviePath, '-map', '0:a:0',
    '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-acodec', 'pcm_s16le', '-',
  ]);
  const gap = Math.round(BEEP_GAP_S * SAMPLE_RATE);
  const onsets: number[] = [];
  let lastLoud = Number.NEGATIVE_INFINITY;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const sample = i / 2;
    if (Math.abs(raw.readInt16LE(i)) <= BEEP_THRESHOLD) continue;
    if (sample - lastLoud >= gap) onsets.push(sample / SAMPLE_RATE);
    lastLoud = sample;
  }
  return onsets;
}
