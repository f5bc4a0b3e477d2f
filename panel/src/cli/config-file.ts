// The CLI's saved login: coordinator URL and API key, in a file only the user can read.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './cli-error.js';

export interface CliConfig {
  coordinator?: string;
  apiKey?: string;
}

export const CONFIG_FILE_NAME = 'cli.json';

/** `$CLOUDEXPORT_CONFIG_DIR`, else `~/.config/cloudexport`. */
export function configDir(env: Record<string, string | undefined>, home: string): string {
  return env.CLOUDEXPORT_CONFIG_DIR || join(home, '.config', 'cloudexport');
}

export async function loadConfig(dir: string): Promise<CliConfig> {
  const file = join(dir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`Cannot read ${file} (${(err as Error).message}). Fix its permissions or delete it and run cloudexport login again.`);
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
    const { coordinator, apiKey } = json as Record<string, unknown>;
    return {
      ...(typeof coordinator === 'string' ? { coordinator } : {}),
      ...(typeof apiKey === 'string' ? { apiKey } : {}),
    };
  } catch {
    throw new CliError(`${file} is damaged (not a JSON object). Delete it and run: cloudexport login --coordinator URL --api-key KEY`);
  }
}

/** Writes the config readable by the user only (0600), replacing the old one in one step. */
export async function saveConfig(dir: string, config: CliConfig): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, CONFIG_FILE_NAME);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600); // whatever the umask
  await rename(temp, file);
  return file;
}
