import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from './agent-processes.js';

export const cliBin = join(root, 'panel/bin/cloudexport.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `cloudexport` CLI as an artist would, against `coordinator` with `apiKey`. */
export function runCli(coordinator: string, apiKey: string, configDir: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      env: { ...process.env, CLOUDEXPORT_COORDINATOR: coordinator, CLOUDEXPORT_API_KEY: apiKey, CLOUDEXPORT_CONFIG_DIR: configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
