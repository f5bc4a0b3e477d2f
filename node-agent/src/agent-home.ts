import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The agent's folder: identity (owner-only), status, and chunk work folders. */
export function agentHome(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return resolve(flag ?? env.CLOUDEXPORT_AGENT_HOME ?? join(homedir(), '.cloudexport-agent'));
}
