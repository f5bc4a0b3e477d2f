import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleManifestSchema, bundlePathProblem, canonicalManifestJson, ciphertextSize } from '@cloudexport/shared';
import { openBuffer } from '@cloudexport/shared/node';
import { assignAssetPaths, safeFileName } from '../src/bundle/bundle-paths.js';
import { FileChangedError, packBundle, sealFile, type PackAsset } from '../src/bundle/pack.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

async function workspace(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'ce-pack-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'a'), { recursive: true });
  await mkdir(join(dir, 'b'), { recursive: true });
  const project = join(dir, 'Show.aep');
  await writeFile(project, 'RIFX project bytes');
  const files: Record<string, string> = { 'a/intro.mov': 'intro A', 'b/intro.mov': 'intro B', 'a/music.wav': 'la la la', 'a/logo.png': 'logo' };
  for (const [rel, content] of Object.entries(files)) await writeFile(join(dir, rel), content);
  const assets: PackAsset[] = [
    { originalPath: 'C:\\Show\\a\\intro.mov', localPath: join(dir, 'a/intro.mov'), role: 'footage' },
    { originalPath: 'C:\\Show\\b\\intro.mov', localPath: join(dir, 'b/intro.mov'), role: 'footage' },
    { originalPath: 'C:\\Show\\a\\music.wav', localPath: join(dir, 'a/music.wav'), role: 'audio' },
    { originalPath: '/Volumes/Assets/logo.png', localPath: join(dir, 'a/logo.png'), role: 'footage' },
  ];
  return { dir, project, assets, files };
}

test('same inputs → byte-identical manifest, whatever the order of the assets', async (t) => {
  const { project, assets } = await workspace(t);
  const options = { projectPath: project, projectOriginalPath: 'C:\\Show\\Show.aep', comp: 'Main', createdBy: 'test' };
  const first = await packBundle({ ...options, assets });
  const second = await packBundle({ ...options, assets: [...assets].reverse() });
  const third = await packBundle({ ...options, assets: [assets[2]!, assets[0]!, assets[3]!, assets[1]!], concurrency: 1 });
  t.deepEqual(Buffer.from(second.manifestJson), Buffer.from(first.manifestJson));
  t.deepEqual(Buffer.from(third.manifestJson), Buffer.from(first.manifestJson));
  t.is(second.manifestId, first.manifestId);
  t.deepEqual(Buffer.from(canonicalManifestJson(first.manifest)), Buffer.from(first.manifestJson));
  t.true(bundleManifestSchema.safeParse(first.manifest).success);
  t.deepEqual(first.files.map((f) => f.path), second.files.map((f) => f.path), 'files come in the manifest’s order');
});

test('the manifest lists each file with its path, size, sha256 of the plaintext, role and original path', async (t) => {
  const { project, assets, files } = await workspace(t);
  const packed = await packBundle({ projectPath: project, projectOriginalPath: 'C:\\Show\\Show.aep', assets, comp: 'Main' });
  t.deepEqual(packed.manifest.project, { path: 'project/Show.aep', comp: 'Main' });
  const byOriginal = new Map(packed.manifest.files.map((f) => [f.originalPath, f]));
  t.like(byOriginal.get('C:\\Show\\Show.aep'), { path: 'project/Show.aep', role: 'project', size: 18, sha256: sha('RIFX project bytes') });
  t.like(byOriginal.get('/Volumes/Assets/logo.png'), { path: 'footage/logo.png', role: 'footage' });
  // the two intro.mov are kept apart by folder, and each folder's files stay together
  const a = byOriginal.get('C:\\Show\\a\\intro.mov')!.path;
  const b = byOriginal.get('C:\\Show\\b\\intro.mov')!.path;
  t.regex(a, /^footage\/[0-9a-f]{8}\/intro\.mov$/);
  t.regex(b, /^footage\/[0-9a-f]{8}\/intro\.mov$/);
  t.not(a, b);
  t.like(byOriginal.get('C:\\Show\\a\\music.wav'), { path: a.replace('intro.mov', 'music.wav'), role: 'audio', size: 8, sha256: sha(files['a/music.wav']!) });
  t.is(packed.totalBytes, 18 + 7 + 7 + 8 + 4);
});

test('one asset changed → only its sha256 changes', async (t) => {
  const { dir, project, assets } = await workspace(t);
  const before = await packBundle({ projectPath: project, assets });
  await writeFile(join(dir, 'a/music.wav'), 'la la LA');
  const after = await packBundle({ projectPath: project, assets });
  const changed = after.files.filter((f, i) => f.sha256 !== before.files[i]!.sha256).map((f) => f.path);
  t.deepEqual(changed, [before.files.find((f) => f.originalPath === 'C:\\Show\\a\\music.wav')!.path]);
  t.deepEqual(after.files.map((f) => f.path), before.files.map((f) => f.path), 'paths stay put');
  t.not(after.manifestId, before.manifestId);
});

test('hashing reports progress up to the total', async (t) => {
  const { project, assets } = await workspace(t);
  const seen: number[] = [];
  const packed = await packBundle({ projectPath: project, assets, onProgress: (p) => seen.push(p.hashedBytes) });
  t.is(seen.at(-1), packed.totalBytes);
  t.true(seen.every((n, i) => i === 0 || n >= seen[i - 1]!));
});

test('bundle paths: deterministic, portable, clashes kept apart per folder, sequences stay whole', (t) => {
  const originals = [
    'C:\\Show\\shots\\shot_0001.exr',
    'C:\\Show\\shots\\shot_0002.exr',
    'D:\\Old\\shot_0002.exr',
    '/Users/me/Music/Theme.WAV',
    'C:\\Show\\theme.wav',
    'C:\\Show\\con.mov',
    'C:\\Show\\what?.mov ',
  ];
  const paths = assignAssetPaths(originals);
  t.deepEqual(assignAssetPaths([...originals].reverse()), paths, 'order does not matter');
  for (const p of paths.values()) t.is(bundlePathProblem(p), null, p);
  const folderOf = (o: string) => paths.get(o)!.split('/').slice(0, -1).join('/');
  t.is(folderOf('C:\\Show\\shots\\shot_0001.exr'), folderOf('C:\\Show\\shots\\shot_0002.exr'), 'a sequence stays in one folder');
  t.not(folderOf('C:\\Show\\shots\\shot_0002.exr'), folderOf('D:\\Old\\shot_0002.exr'));
  t.not(paths.get('/Users/me/Music/Theme.WAV')!.toUpperCase(), paths.get('C:\\Show\\theme.wav')!.toUpperCase(), 'names differing only in case are kept apart');
  t.is(new Set([...paths.values()].map((p) => p.toUpperCase())).size, originals.length);
  t.is(safeFileName('con.mov'), '_con.mov');
  t.is(safeFileName('what?.mov '), 'what_.mov_');
  t.is(safeFileName('a\\b/c'), 'a_b_c');
});

test('sealFile: a fresh key per blob, the sealed size the format promises, and it opens to the same bytes', async (t) => {
  const { dir, project } = await workspace(t);
  const packed = await packBundle({ projectPath: project, assets: [] });
  const file = packed.files[0]!;
  const one = await sealFile(file, { tempDir: dir });
  const two = await sealFile(file, { tempDir: dir });
  t.notDeepEqual(Buffer.from(one.key), Buffer.from(two.key));
  t.is(one.sealedSize, ciphertextSize(file.size));
  const sealed = await readFile(one.sealedPath);
  t.is(sealed.length, one.sealedSize);
  t.deepEqual(openBuffer(one.key, sealed).toString(), 'RIFX project bytes');
});

test('sealFile refuses a file edited since it was hashed, and keeps nothing', async (t) => {
  const { dir, project } = await workspace(t);
  const packed = await packBundle({ projectPath: project, assets: [] });
  await writeFile(project, 'RIFX project bytes, saved again');
  const temp = join(dir, 'sealed');
  await mkdir(temp);
  await t.throwsAsync(sealFile(packed.files[0]!, { tempDir: temp }), { instanceOf: FileChangedError, message: /changed while it was being exported/ });
  t.deepEqual(await readdir(temp), []);
});
