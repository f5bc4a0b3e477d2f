// Which coordinator and API key a command uses: the flags, then the environment, then the saved
// login. A saved key is only ever sent to the coordinator it was saved for.
import { InvalidArgumentError } from 'commander';
import { CoordinatorClient } from '../api/coordinator-client.js';
import { usageError } from './cli-error.js';
import { configDir, loadConfig } from './config-file.js';
import type { CliContext, GlobalOptions } from './context.js';

export interface Credentials {
  coordinator: string;
  apiKey: string;
}

const LOGIN_HINT = 'cloudexport login --coordinator URL --api-key KEY';

/** Commander parser for --coordinator. */
export function coordinatorUrl(value: string): string {
  const url = normalizeUrl(value);
  if (!url) throw new InvalidArgumentError('expected an http(s) URL, like https://render.example.com');
  return url;
}

function normalizeUrl(value: string): string | null {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return value.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

export async function resolveCredentials(globals: GlobalOptions, ctx: CliContext): Promise<Credentials> {
  const config = await loadConfig(configDir(ctx.env, ctx.home));
  const fromEnv = ctx.env.CLOUDEXPORT_COORDINATOR || undefined;
  const coordinator = globals.coordinator ?? fromEnv ?? config.coordinator;
  if (!coordinator) {
    throw usageError(`No coordinator given. Pass --coordinator URL, set CLOUDEXPORT_COORDINATOR, or save one with: ${LOGIN_HINT}`);
  }
  const url = normalizeUrl(coordinator);
  if (!url) {
    const where = globals.coordinator ? '--coordinator' : fromEnv ? 'CLOUDEXPORT_COORDINATOR' : 'the saved login';
    throw usageError(`The coordinator URL "${coordinator}" (from ${where}) is not an http(s) URL. Use one like https://render.example.com.`);
  }
  const savedKeyFits = config.apiKey !== undefined && config.coordinator !== undefined && normalizeUrl(config.coordinator) === url;
  const apiKey = globals.apiKey ?? (ctx.env.CLOUDEXPORT_API_KEY || undefined) ?? (savedKeyFits ? config.apiKey : undefined);
  if (!apiKey) {
    const saved = config.apiKey && config.coordinator ? ` (the saved key is for ${config.coordinator}, not ${url})` : '';
    throw usageError(`No API key${saved}. Pass --api-key KEY, set CLOUDEXPORT_API_KEY, or save one with: ${LOGIN_HINT}`);
  }
  return { coordinator: url, apiKey };
}

export function clientFor(credentials: Credentials): CoordinatorClient {
  return new CoordinatorClient({ baseUrl: credentials.coordinator, apiKey: credentials.apiKey });
}
