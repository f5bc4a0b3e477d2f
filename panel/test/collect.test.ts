import test from 'ava';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectProject, itemsUsedByComp, sequenceFrames } from '../src/bundle/collect.js';
import { FootageLocator } from '../src/bundle/locate-footage.js';
import { relativeOriginal } from '../src/bundle/original-path.js';
import { AUDIO_ORIGINAL, fixtureInTempDir, fixturePath, fixtureTest, fixtureTitle, SOUND_COMP, SOUND_TEMPLATE } from './helpers/fixtures.js';

fixtureTest(fixtureTitle('the sound template’s Audio1.mp3 is reported missing, with its original path and the comp that uses it'), async (t) => {
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const c = await collectProject({ projectPath: project });
  t.deepEqual(c.assets, []);
  t.deepEqual(
    c.missing.map(({ name, kind, originalPath, usedBy }) => ({ name, kind, originalPath, usedBy })),
    [{ name: 'Audio1.mp3', kind: 'file', originalPath: AUDIO_ORIGINAL, usedBy: [SOUND_COMP] }],
  );
  t.deepEqual(c.fonts, [], 'the template has no text layer');
  t.is(c.totalBytes, c.projectSize);
});

fixtureTest(fixtureTitle('Audio1.mp3 next to the project is found, as audio, by AE’s relative fallback'), async (t) => {
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'Audio1.mp3'), Buffer.alloc(1234, 1));
  const c = await collectProject({ projectPath: project });
  t.deepEqual(c.missing, []);
  t.is(c.assets.length, 1);
  const [audio] = c.assets;
  t.like(audio, { originalPath: AUDIO_ORIGINAL, localPath: join(dir, 'Audio1.mp3'), size: 1234, role: 'audio', foundBy: 'relative-to-project', usedBy: [SOUND_COMP] });
  t.is(c.totalBytes, c.projectSize + 1234);
});

fixtureTest(fixtureTitle('the longest matching tail of the original path wins over a same-named file elsewhere'), async (t) => {
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'assets', 'templates'), { recursive: true });
  await mkdir(join(dir, 'old'), { recursive: true });
  await writeFile(join(dir, 'assets', 'templates', 'Audio1.mp3'), 'right');
  await writeFile(join(dir, 'old', 'Audio1.mp3'), 'wrong');
  const c = await collectProject({ projectPath: project });
  t.is(c.assets[0]?.localPath, join(dir, 'assets', 'templates', 'Audio1.mp3'));
  t.is(c.assets[0]?.foundBy, 'relative-to-project');
});

fixtureTest(fixtureTitle('a file moved into a subfolder is found by name, case-insensitively, within the search bounds'), async (t) => {
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'sound', 'final'), { recursive: true });
  await writeFile(join(dir, 'sound', 'final', 'audio1.MP3'), 'x');
  const c = await collectProject({ projectPath: project });
  t.is(c.assets[0]?.localPath, join(dir, 'sound', 'final', 'audio1.MP3'));
  t.is(c.assets[0]?.foundBy, 'name-search');

  const shallow = await collectProject({ projectPath: project, search: { maxDepth: 1 } });
  t.is(shallow.assets.length, 0, 'deeper than the search depth is not looked at');
  t.is(shallow.missing.length, 1);
});

fixtureTest(fixtureTitle('with the project’s original location known, footage is found at the same relative place'), async (t) => {
  const { dir, project } = await fixtureInTempDir(SOUND_TEMPLATE);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // saved as C:\Users\tropi\Projects\show\edit\sound.aep: the audio was at ..\..\bodymovin-extension\bundle\assets\templates
  const projectHere = join(dir, 'show', 'edit', 'sound.aep');
  await mkdir(join(dir, 'show', 'edit'), { recursive: true });
  await writeFile(projectHere, await readFile(project));
  const audioHere = join(dir, 'bodymovin-extension', 'bundle', 'assets', 'templates', 'Audio1.mp3');
  await mkdir(join(audioHere, '..'), { recursive: true });
  await writeFile(audioHere, 'x');
  const c = await collectProject({ projectPath: projectHere, originalProjectPath: 'C:\\Users\\tropi\\Projects\\show\\edit\\sound.aep' });
  t.is(c.assets[0]?.localPath, audioHere);
  t.is(c.assets[0]?.foundBy, 'relative-to-project');
});

fixtureTest(fixtureTitle('placeholders are missing by definition, solids need no file, unused items say so'), async (t) => {
  const c = await collectProject({ projectPath: fixturePath('boltframe-Item-01.aep') });
  t.deepEqual(c.assets, []);
  t.deepEqual(
    c.missing.map(({ name, kind, originalPath, usedBy }) => ({ name, kind, originalPath, usedBy })),
    [{ name: 'Missing Footage', kind: 'placeholder', originalPath: null, usedBy: [] }],
  );
  const comp = c.project.compositions.find((x) => x.name === 'Comp 01')!;
  t.false(itemsUsedByComp(c.project, comp.id).has(c.missing[0]!.footageId), 'the placeholder is not in Comp 01’s render');
});

fixtureTest(fixtureTitle('effects are listed, AE’s own ones not flagged as third-party'), async (t) => {
  const c = await collectProject({ projectPath: fixturePath('boltframe-Property-01.aep') });
  t.true(c.effects.includes('ADBE Slider Control'));
  t.deepEqual(c.thirdPartyEffects, []);
});

test('an absolute path recorded on this kind of machine is used as is', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ce-locate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'clip.mov'), 'x');
  const locator = new FootageLocator(join(dir, 'elsewhere'));
  t.deepEqual(await locator.locate(join(dir, 'clip.mov'), 'file'), { path: join(dir, 'clip.mov'), foundBy: 'original-path' });
  t.is(await locator.locate('C:\\nowhere\\clip.mov', 'folder'), null, 'a file is not taken for a folder');
});

test('relative original paths: Windows folds case, other drives have no way between them', (t) => {
  t.deepEqual(relativeOriginal('C:\\Users\\a\\Show', 'c:\\users\\A\\Footage\\x.mov'), ['..', 'Footage', 'x.mov']);
  t.deepEqual(relativeOriginal('/Users/a/Show', '/Users/a/Show/footage/x.mov'), ['footage', 'x.mov']);
  t.is(relativeOriginal('C:\\Show', 'D:\\x.mov'), null);
  t.is(relativeOriginal('/Users/a', 'C:\\x.mov'), null);
});

test('image sequence frames: the same name around the last run of digits', (t) => {
  const names = ['shot_0001.exr', 'shot_0002.exr', 'shot_0010.exr', 'shot_0001.png', 'other_0001.exr', 'shot_final.exr'];
  t.deepEqual(sequenceFrames('shot_0002.exr', names), ['shot_0001.exr', 'shot_0002.exr', 'shot_0010.exr']);
  t.deepEqual(sequenceFrames('logo.png', names), ['logo.png']);
});
