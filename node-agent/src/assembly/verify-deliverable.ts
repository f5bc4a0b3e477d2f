import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import type { DeliverableExpectation } from './encode-args.js';

export interface VerifyOptions {
  ffprobePath: string;
  /** Give up on ffprobe after this long (ms); default 10 minutes (it decodes every frame). */
  timeoutMs?: number;
  /** Allowed distance of the average video bitrate from the target; default 0.10. */
  bitrateTolerance?: number;
  signal?: AbortSignal;
}

export interface ProbeSummary {
  videoCodec: string | null;
  profile: string | null;
  width: number | null;
  height: number | null;
  frameCount: number | null;
  frameRate: string | null;
  durationSeconds: number | null;
  videoBitrateMbps: number | null;
  audioCodec: string | null;
  audioDurationSeconds: number | null;
}

export interface VerifyResult {
  ok: boolean;
  /** One readable sentence per failed check: `frame count 238, expected 240`. */
  failures: string[];
  probe: ProbeSummary | null;
  /**
   * ffprobe itself did not run to the end (missing, not executable, timed out or aborted), so
   * nothing is known of the file: a fault of this node, not of the deliverable.
   */
  probeFailed: boolean;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  duration?: string;
  bit_rate?: string;
  nb_read_frames?: string;
}
interface ProbeJson {
  streams?: ProbeStream[];
  format?: { duration?: string; size?: string; bit_rate?: string };
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** `…/ffmpeg` → `…/ffprobe` (`ffmpeg.exe` → `ffprobe.exe`): builds ship the two side by side. */
export function ffprobeBesideFfmpeg(ffmpegPath: string): string {
  const base = basename(ffmpegPath);
  return ffmpegPath.slice(0, ffmpegPath.length - base.length) + base.replace(/ffmpeg/i, 'ffprobe');
}

function numberOrNull(value: string | number | undefined): number | null {
  if (value === undefined || value === 'N/A') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function round(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** ffprobe could not run, or was stopped: the failure says nothing of the file. */
class ProbeRunError extends Error {}

function probeFile(path: string, options: VerifyOptions): Promise<ProbeJson> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', '-count_frames', path];
  return new Promise((resolve, reject) => {
    execFile(options.ffprobePath, args, { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, signal: options.signal, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const detail = String(stderr).trim().split(/\r?\n/).at(-1) || error.message;
        // A string code is spawn's (ENOENT, EACCES) or the abort's; a number is ffprobe's exit code.
        const didNotRun = typeof error.code === 'string' || error.killed || options.signal?.aborted === true;
        reject(didNotRun ? new ProbeRunError(`ffprobe (${options.ffprobePath}) did not run to the end: ${detail}`) : new Error(detail));
        return;
      }
      try {
        resolve(JSON.parse(String(stdout)) as ProbeJson);
      } catch (parseError) {
        reject(new Error(`its output is not JSON (${(parseError as Error).message})`));
      }
    });
  });
}

export function summarize(json: ProbeJson): ProbeSummary {
  const video = json.streams?.find((s) => s.codec_type === 'video');
  const audio = json.streams?.find((s) => s.codec_type === 'audio');
  const duration = numberOrNull(video?.duration) ?? numberOrNull(json.format?.duration);
  let bitrate = numberOrNull(video?.bit_rate);
  if (bitrate === null && duration) {
    // Containers without a per-stream rate: the file's rate less the audio's.
    const size = numberOrNull(json.format?.size);
    if (size !== null) bitrate = (size * 8) / duration - (numberOrNull(audio?.bit_rate) ?? 0);
  }
  return {
    videoCodec: video?.codec_name ?? null,
    profile: video?.profile ?? null,
    width: video?.width ?? null,
    height: video?.height ?? null,
    frameCount: numberOrNull(video?.nb_read_frames),
    frameRate: video?.r_frame_rate ?? null,
    durationSeconds: duration,
    videoBitrateMbps: bitrate === null ? null : bitrate / 1e6,
    audioCodec: audio?.codec_name ?? null,
    audioDurationSeconds: numberOrNull(audio?.duration),
  };
}

/** Compares what ffprobe found with what the preset promised; each mismatch is one sentence. */
export function compareWithExpectation(probe: ProbeSummary, expected: DeliverableExpectation, bitrateTolerance = 0.1): string[] {
  const failures: string[] = [];
  if (probe.videoCodec === null) return ['no video stream in the file'];
  if (probe.videoCodec !== expected.videoCodec) failures.push(`video codec ${probe.videoCodec}, expected ${expected.videoCodec}`);
  if (expected.profile !== null && probe.profile !== expected.profile) failures.push(`${expected.videoCodec} profile ${probe.profile ?? 'unknown'}, expected ${expected.profile}`);
  if (probe.width !== expected.width || probe.height !== expected.height) failures.push(`size ${probe.width ?? '?'}×${probe.height ?? '?'}, expected ${expected.width}×${expected.height}`);
  const [num, den] = (probe.frameRate ?? '').split('/').map(Number);
  if (!num || !den || num * expected.fps.den !== den * expected.fps.num) failures.push(`frame rate ${probe.frameRate ?? 'unknown'}, expected ${expected.fps.num}/${expected.fps.den}`);
  if (probe.frameCount !== expected.frameCount) failures.push(`frame count ${probe.frameCount ?? 'unknown'}, expected ${expected.frameCount}`);
  const halfFrame = expected.fps.den / expected.fps.num / 2;
  if (probe.durationSeconds === null || Math.abs(probe.durationSeconds - expected.durationSeconds) > halfFrame) {
    failures.push(`duration ${probe.durationSeconds === null ? 'unknown' : `${round(probe.durationSeconds, 3)} s`}, expected ${round(expected.durationSeconds, 3)} s`);
  }
  if (expected.bitrateMbps !== null) {
    const actual = probe.videoBitrateMbps;
    if (actual === null || Math.abs(actual - expected.bitrateMbps) > expected.bitrateMbps * bitrateTolerance) {
      failures.push(`average video bitrate ${actual === null ? 'unknown' : `${round(actual, 2)} Mbps`}, expected ${expected.bitrateMbps} Mbps ± ${Math.round(bitrateTolerance * 100)} %`);
    }
  }
  if (expected.audioCodec !== null && probe.audioCodec !== expected.audioCodec) {
    failures.push(probe.audioCodec === null ? `no audio stream, expected ${expected.audioCodec}` : `audio codec ${probe.audioCodec}, expected ${expected.audioCodec}`);
  }
  // the sound runs the picture's length: cut short it would leave the end silent or out of step
  const audioSlack = Math.max(2 * halfFrame, 0.025);
  if (expected.audioCodec !== null && probe.audioCodec !== null && (probe.audioDurationSeconds === null || Math.abs(probe.audioDurationSeconds - expected.durationSeconds) > audioSlack)) {
    failures.push(`audio lasts ${probe.audioDurationSeconds === null ? 'an unknown time' : `${round(probe.audioDurationSeconds, 3)} s`}, the picture ${round(expected.durationSeconds, 3)} s`);
  }
  return failures;
}

/**
 * Checks an encoded deliverable with ffprobe (decoding every frame to count them) against the
 * plan's expectation. Never throws: a file ffprobe cannot read is one failure.
 */
export async function verifyDeliverable(path: string, expected: DeliverableExpectation, options: VerifyOptions): Promise<VerifyResult> {
  let json: ProbeJson;
  try {
    json = await probeFile(path, options);
  } catch (error) {
    if (error instanceof ProbeRunError) return { ok: false, failures: [error.message], probe: null, probeFailed: true };
    return { ok: false, failures: [`ffprobe could not read ${path}: ${(error as Error).message}`], probe: null, probeFailed: false };
  }
  const probe = summarize(json);
  const failures = compareWithExpectation(probe, expected, options.bitrateTolerance);
  return { ok: failures.length === 0, failures, probe, probeFailed: false };
}
