import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrepareContext, PreparedProject, ProjectSource } from './project-source.js';

/**
 * Projects on storage the node shares with the artist (a studio NAS, `run --projects DIR`):
 * bundle `b` is `<folder>/<b>.aep`, rendered in place. The default source is encrypted bundles.
 */
export class SharedFolderProjects implements ProjectSource {
  constructor(private readonly folder: string) {}

  async prepare({ assignment }: Pick<PrepareContext, 'assignment'>): Promise<PreparedProject | { error: string }> {
    const bundle = assignment.bundle;
    if (!bundle) return { error: 'The job names no bundle, so there is no project to render.' };
    const projectPath = join(this.folder, `${bundle}.aep`);
    try {
      await access(projectPath);
      return { projectPath, release: () => undefined };
    } catch {
      return { error: `Project ${projectPath} is missing on this node (started with --projects ${this.folder}). Put the project there, or run the agent without --projects to download bundles.` };
    }
  }
}
