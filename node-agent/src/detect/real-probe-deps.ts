import { execFile } from 'node:child_process';
import { stat, statfs } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';
import type { ExecResult, ExecRunner, ProbeDeps } from './probe-deps.js';

// Version banners and encoder lists are a few KB; this only guards against a runaway child.
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export const realExec: ExecRunner = (cmd, args, { timeoutMs }) =>
  new Promise<ExecResult>((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr, timedOut: false });
        // A string code (ENOENT, EACCES) means it never ran; a number is its exit status.
        if (typeof error.code === 'string') return reject(error);
        const timedOut = error.killed === true && error.signal === 'SIGKILL';
        resolve({ code: typeof error.code === 'number' ? error.code : null, stdout, stderr, timedOut });
      },
    );
  });

export async function realFileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The real machine. `env` is passed in by the entry point (STYLE: env is read only there). */
export function createProbeDeps(env: Readonly<Record<string, string | undefined>>): ProbeDeps {
  return {
    exec: realExec,
    fileExists: realFileExists,
    statfs: async (path) => {
      const s = await statfs(path);
      return { bavail: s.bavail, bsize: s.bsize };
    },
    env,
    platform: process.platform,
    host: { release: os.release(), arch: os.arch(), hostname: os.hostname() },
    si: { graphics: () => si.graphics(), cpu: () => si.cpu(), mem: () => si.mem(), fsSize: () => si.fsSize() },
    now: () => new Date(),
  };
}
