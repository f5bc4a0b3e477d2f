import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestCoordinator } from '../../../coordinator/test/helpers/test-coordinator.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const agentBin = join(root, 'node-agent/bin/cloudexport-agent.js');
export const aerenderDouble = join(root, 'node-agent/test/aerender-double/aerender-double.sh');

export type AgentProcess = ChildProcess & { output: () => string };

/**
 * Real agent processes started through the CLI, rendering with the aerender test double. A fake
 * nvidia-smi on their PATH gives them a GPU, printing nvidia-smi's real CSV format.
 */
export class AgentProcesses {
  readonly running: AgentProcess[] = [];
  private constructor(
    private readonly c: TestCoordinator,
    private readonly providerKey: string,
    private readonly work: string,
    private readonly fakeBin: string,
  ) {}

  static async create(c: TestCoordinator, providerKey: string, work: string): Promise<AgentProcesses> {
    const fakeBin = join(work, 'bin');
    await mkdir(fakeBin, { recursive: true });
    await writeFile(join(fakeBin, 'nvidia-smi'), '#!/bin/sh\necho "NVIDIA GeForce RTX 4090, 24564, 550.54.14, 7"\n');
    await chmod(join(fakeBin, 'nvidia-smi'), 0o755);
    return new AgentProcesses(c, providerKey, work, fakeBin);
  }

  /** `cloudexport-agent --home HOME ARGS…`, its output kept; `pathFirst`: a folder searched before the rest of PATH. */
  start(home: string, args: string[], extraEnv: Record<string, string> = {}, pathFirst?: string): AgentProcess {
    const path = [pathFirst, this.fakeBin, process.env.PATH].filter(Boolean).join(':');
    const child = spawn(process.execPath, [agentBin, '--home', home, ...args], {
      env: { ...process.env, AERENDER_PATH: aerenderDouble, LOG_LEVEL: 'warn', ...extraEnv, PATH: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as AgentProcess;
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d));
    child.stderr?.on('data', (d: Buffer) => (output += d));
    child.output = () => output;
    this.running.push(child);
    return child;
  }

  /** Enrolls a node under the provider with a fresh token; answers its home and id. */
  async enroll(name: string): Promise<{ home: string; nodeId: string }> {
    const home = join(this.work, name);
    const token = (await this.c.call('POST', '/api/v1/enrollment-tokens', { key: this.providerKey, body: {} })).body.token;
    const child = this.start(home, ['enroll', '--coordinator', this.c.url, '--token', token, '--name', name]);
    const code = await new Promise((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`enroll ${name} failed: ${child.output()}`);
    return { home, nodeId: /Enrolled node ([0-9a-f-]{36})/.exec(child.output())![1]! };
  }

  stopAll(signal: NodeJS.Signals = 'SIGTERM'): void {
    for (const p of this.running.splice(0)) p.kill(signal);
  }
}
