// Hostile manifests, made by hand (the coordinator's validation is not relied on): extraction
// must refuse them and write nothing, least of all outside the bundle folder.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { BundleExtractError, extractBundle, type ExtractFile } from '../src/bundle/extract-bundle.js';
import { sha256, tempDir } from './bundle-fixtures.js';

interface Scene {
  root: string;
  bundleDir: string;
  outside: string;
  blobs: string;
  /** Puts `data` in the fake cache and returns the manifest entry for `path`. */
  file(path: string, data: string, size?: number): Promise<ExtractFile>;
}

async function scene(t: ExecutionContext, blobsDir?: string): Promise<Scene> {
  const root = await tempDir(t, 'extract-');
  const blobs = blobsDir ?? join(root, 'cache');
  const outside = join(root, 'outside');
  await mkdir(blobs, { recursive: true });
  await mkdir(outside);
  return {
    root,
    bundleDir: join(root, 'work', 'chunk', 'bundle'),
    outside,
    blobs,
    file: async (path, data, size) => {
      const sha = sha256(Buffer.from(data));
      await writeFile(join(blobs, sha), data);
      return { path, size: size ?? Buffer.byteLength(data), sha256: sha };
    },
  };
}

const project = (s: Scene) => s.file('project.aep', 'aep');

async function extract(s: Scene, files: ExtractFile[], projectPath = 'project.aep') {
  return extractBundle({ project: { path: projectPath }, files }, s.bundleDir, (sha) => join(s.blobs, sha));
}

const hostilePath = test.macro({
  async exec(t, path: string, message: RegExp) {
    const s = await scene(t);
    const err = await t.throwsAsync(extract(s, [await project(s), await s.file(path, 'pwned')]), { instanceOf: BundleExtractError });
    t.regex(err!.message, message);
    t.regex(err!.message, /Nothing was extracted\.$/);
    t.false(existsSync(s.bundleDir), 'refused before the bundle folder was made');
    t.deepEqual(await readdir(s.outside), []);
  },
  title: (_provided, path) => `refuses the path ${JSON.stringify(path)}`,
});

test(hostilePath, '/etc/cron.d/evil', /is an absolute path/);
test(hostilePath, 'C:\\Windows\\evil.dll', /is an absolute path/);
test(hostilePath, 'C:/Windows/evil.dll', /is an absolute path/);
test(hostilePath, 'c:evil.dll', /is an absolute path/);
test(hostilePath, '\\\\server\\share\\evil', /is an absolute path/);
test(hostilePath, '../outside/evil', /"\.\." segment/);
test(hostilePath, 'footage/../../../outside/evil', /"\.\." segment/);
test(hostilePath, 'footage\\..\\..\\evil', /backslash/);
test(hostilePath, 'footage//evil', /empty segment/);
test(hostilePath, './evil', /"\." segment/);
test(hostilePath, 'footage/evil\u0000.txt', /NUL|control/);
test(hostilePath, 'footage/NUL', /reserved device name/);

test('a symlink planted in the work folder is never followed: refused, nothing written through it', async (t) => {
  const s = await scene(t);
  await mkdir(s.bundleDir, { recursive: true });
  await symlink(s.outside, join(s.bundleDir, 'footage')); // footage/ → a folder outside
  const err = await t.throwsAsync(extract(s, [await project(s), await s.file('footage/plate.mov', 'pwned')]), { instanceOf: BundleExtractError });
  t.regex(err!.message, /footage is a link/);
  t.deepEqual(await readdir(s.outside), [], 'nothing landed outside');
  t.false(existsSync(s.bundleDir), 'the half-made bundle folder is gone (the link with it, not its target)');
  t.true(existsSync(s.outside));
});

test('a symlink planted where a file goes is refused, and its target is left alone', async (t) => {
  const s = await scene(t);
  const victim = join(s.outside, 'victim.txt');
  await writeFile(victim, 'precious');
  await mkdir(s.bundleDir, { recursive: true });
  await symlink(victim, join(s.bundleDir, 'plate.mov'));
  const err = await t.throwsAsync(extract(s, [await project(s), await s.file('plate.mov', 'pwned')]), { instanceOf: BundleExtractError });
  t.regex(err!.message, /"plate\.mov" cannot be placed: something is already in the way/);
  t.is(await readFile(victim, 'utf8'), 'precious');
});

test('a dangling symlink where a file goes is refused (no file is created at its target)', async (t) => {
  const s = await scene(t);
  await mkdir(s.bundleDir, { recursive: true });
  await symlink(join(s.outside, 'created-by-attacker.txt'), join(s.bundleDir, 'plate.mov'));
  await t.throwsAsync(extract(s, [await project(s), await s.file('plate.mov', 'pwned')]), { instanceOf: BundleExtractError });
  t.deepEqual(await readdir(s.outside), []);
});

test('a bundle folder that is itself a link is refused', async (t) => {
  const s = await scene(t);
  await mkdir(join(s.bundleDir, '..'), { recursive: true });
  await symlink(s.outside, s.bundleDir);
  const err = await t.throwsAsync(extract(s, [await project(s)]), { instanceOf: BundleExtractError });
  t.regex(err!.message, /is a link/);
  t.deepEqual(await readdir(s.outside), []);
});

test('a blob bigger than the manifest says is refused', async (t) => {
  const s = await scene(t);
  const err = await t.throwsAsync(extract(s, [await project(s), await s.file('plate.mov', 'twelve bytes', 5)]), { instanceOf: BundleExtractError });
  t.regex(err!.message, /is 12 bytes in the cache, not the 5 the manifest says/);
  t.false(existsSync(s.bundleDir));
});

test('a file that is also a folder of another file, or listed twice by case, is refused', async (t) => {
  const s = await scene(t);
  await t.throwsAsync(extract(s, [await project(s), await s.file('a.mov', 'x'), await s.file('A.MOV', 'y')]), { message: /listed twice/ });
  await t.throwsAsync(extract(s, [await project(s), await s.file('a', 'x'), await s.file('a/b', 'y')]), { instanceOf: BundleExtractError });
  t.deepEqual(await readdir(s.outside), []);
});

test('a project that is not one of the files is refused', async (t) => {
  const s = await scene(t);
  await t.throwsAsync(extract(s, [await s.file('a.mov', 'x')], '../project.aep'), { message: /is the project but not one of the bundle files/ });
});

test('a good bundle is laid out at its paths, hard-linked to the cache', async (t) => {
  const s = await scene(t);
  const files = [await project(s), await s.file('footage/Shot 01/plate.mov', 'frames'), await s.file('fonts/Inter.otf', 'font')];
  const out = await extract(s, files);
  t.is(out.projectPath, join(s.bundleDir, 'project.aep'));
  t.is(await readFile(join(s.bundleDir, 'footage', 'Shot 01', 'plate.mov'), 'utf8'), 'frames');
  t.is((await stat(join(s.bundleDir, 'fonts', 'Inter.otf'))).ino, (await stat(join(s.blobs, files[2]!.sha256))).ino);
  t.deepEqual([...out.files.keys()].sort(), ['fonts/Inter.otf', 'footage/Shot 01/plate.mov', 'project.aep']);
});

// /dev/shm is another filesystem here, so a hard link fails with EXDEV and the file is copied.
const otherDisk = existsSync('/dev/shm') ? '/dev/shm' : null;
(otherDisk ? test : test.skip)('where the cache is on another disk, files are copied instead of linked', async (t) => {
  const blobs = await mkdtemp(join(otherDisk!, 'extract-cache-'));
  t.teardown(() => rm(blobs, { recursive: true, force: true }));
  const s = await scene(t, blobs);
  const files = [await project(s), await s.file('footage/plate.mov', 'frames')];
  await extract(s, files);
  const placed = await stat(join(s.bundleDir, 'footage', 'plate.mov'));
  t.not(placed.ino, (await stat(join(blobs, files[1]!.sha256))).ino);
  t.is(await readFile(join(s.bundleDir, 'footage', 'plate.mov'), 'utf8'), 'frames');
});
