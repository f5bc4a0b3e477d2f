import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

// Real projects live in the team folder beside the repo (../shared/fixtures/aep/); a checkout
// without it skips the fixture tests, saying why in their titles.
export const FIXTURES_DIR = new URL('../../../../shared/fixtures/aep/', import.meta.url);
export const HAVE_FIXTURES = existsSync(FIXTURES_DIR);

/** `test` when the fixtures are present, else `test.skip`; titles say why they were skipped. */
export const fixtureTest = HAVE_FIXTURES ? test : test.skip;
export const fixtureTitle = (title: string): string =>
  HAVE_FIXTURES ? title : `${title} [skipped: ../shared/fixtures/aep/ is not beside the repo]`;

export function fixtureNames(): string[] {
  return HAVE_FIXTURES ? readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.aep')).sort() : [];
}

export function loadFixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(file, FIXTURES_DIR)));
}
