import { resolve } from 'node:path';
import { AepFormatError } from '@cloudexport/shared';
import { collectProject, type CollectedProject } from '../bundle/collect.js';
import { CliError } from './cli-error.js';

/** Reads and collects the project, with errors that say what to do. */
export async function loadProject(path: string, cwd: string): Promise<CollectedProject> {
  try {
    return await collectProject({ projectPath: resolve(cwd, path) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`No project at ${path}. Give the path of a saved .aep file.`);
    if (code === 'EISDIR') throw new CliError(`${path} is a folder. Give the path of a saved .aep file.`);
    if (code === 'EACCES' || code === 'EPERM') throw new CliError(`Cannot read ${path} (permission denied).`);
    if (err instanceof AepFormatError) {
      throw new CliError(`${path}: ${err.message}. Give a binary .aep saved by After Effects (.aepx XML projects are not supported: save as .aep).`);
    }
    throw err;
  }
}
