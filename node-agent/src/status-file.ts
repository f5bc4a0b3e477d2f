import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AgentStatus {
  state: string;
  connected: boolean;
  chunkId: string | null;
  framesDone: number;
  pid: number;
  updatedAt: string;
}

const FILE = 'status.json';

/** The daemon writes where it stands; `cloudexport-agent status` reads it. */
export async function writeStatus(home: string, status: AgentStatus): Promise<void> {
  await writeFile(join(home, FILE), `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
}

export async function readStatus(home: string): Promise<AgentStatus | null> {
  try {
    return JSON.parse(await readFile(join(home, FILE), 'utf8')) as AgentStatus;
  } catch {
    return null;
  }
}
