import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectSource } from './render-engine.js';

/**
 * Projects on storage the node shares with the artist (a studio NAS): bundle `b` is
 * `<folder>/<b>.aep`. Encrypted bundle download is the other source (issue 4).
 */
export class SharedFolderProjects implements ProjectSource {
  constructor(private readonly folder: string | null) {}

  async prepare(bundle: string | null): Promise<{ projectPath: string } | { error: string }> {
    if (!bundle) return { error: 'The job names no bundle, so there is no project to render.' };
    if (!this.folder) return { error: `Bundle ${bundle} is not on this node: start the agent with --projects <shared folder> (bundle download comes with encrypted bundles).` };
    const projectPath = join(this.folder, `${bundle}.aep`);
    try {
      await access(projectPath);
      return { projectPath };
    } catch {
      return { error: `Project ${projectPath} is missing on this node.` };
    }
  }
}
