import test from 'ava';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Real projects live in the team folder beside the repo (../shared/fixtures/aep/); a checkout
// without it skips these tests, saying why in their titles.
export const FIXTURES_DIR = fileURLToPath(new URL('../../../../shared/fixtures/aep/', import.meta.url));
export const HAVE_FIXTURES = existsSync(FIXTURES_DIR);
export const fixtureTest = HAVE_FIXTURES ? test : test.skip;
export const fixtureTitle = (title: string): string => (HAVE_FIXTURES ? title : `${title} [skipped: ../shared/fixtures/aep/ is not beside the repo]`);

export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name);
}

/** A temp folder holding a copy of the fixture (never the repo's or the team folder's copy). */
export async function fixtureInTempDir(name: string): Promise<{ dir: string; project: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ce-panel-'));
  const project = join(dir, name);
  await copyFile(fixturePath(name), project);
  return { dir, project };
}

export const SOUND_TEMPLATE = 'bodymovin-sound-template.aep';
export const SOUND_COMP = '__bodymovin_Audio';
export const AUDIO_ORIGINAL = 'C:\\Users\\tropi\\Projects\\bodymovin-extension\\bundle\\assets\\templates\\Audio1.mp3';
