// The node side of a bundle end to end, against real parts: blobs sealed with the shared crypto,
// keys sealed to a test node's X25519 key, an HTTP server serving them, the real cache and disk.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { readAep, type BundleTicket, type ChunkAssignment } from '@cloudexport/shared';
import { BlobCache } from '../src/bundle/blob-cache.js';
import { BundleProjects, type BundleProjectsOptions } from '../src/bundle/bundle-projects.js';
import { originalPathKey, relinkTable } from '../src/bundle/relink-project.js';
import type { BundleOpenAnswer, PreparedProject } from '../src/daemon/project-source.js';
import { makeTicket, sha256, silentLog, storageDouble, tempDir, testNode, type FileSpec, type StorageDouble, type TicketOptions } from './bundle-fixtures.js';

const MiB = 1024 ** 2;

function assignment(bundle: string | null = crypto.randomUUID()): ChunkAssignment {
  return { chunkId: crypto.randomUUID(), epoch: 1, jobId: crypto.randomUUID(), index: 0, comp: 'Main', fps: 25, frameStart: 0, frameEnd: 9, bundle, leaseMs: 30_000, kind: 'frames', frameDepth: 8, deliverable: null };
}

interface Setup {
  storage: StorageDouble;
  node: ReturnType<typeof testNode>;
  cache: BlobCache;
  home: string;
  projects: (options?: Partial<BundleProjectsOptions>) => BundleProjects;
}

async function setup(t: ExecutionContext, capBytes = 1024 * MiB): Promise<Setup> {
  const storage = await storageDouble(t);
  const node = testNode();
  const home = await tempDir(t, 'agent-home-');
  const cache = await BlobCache.open({ dir: join(home, 'cache'), capBytes });
  return { storage, node, cache, home, projects: (options = {}) => new BundleProjects({ cache, boxSecretKey: node.secretKey, retry: { retryDelayMs: 5 }, ...options }) };
}

interface Prepared {
  result: PreparedProject | { error: string };
  chunkDir: string;
  downloads: [number, number][];
  warnings: string[];
}

async function prepare(s: Setup, answer: BundleOpenAnswer, projects = s.projects()): Promise<Prepared> {
  const chunkDir = join(s.home, 'work', crypto.randomUUID());
  const downloads: [number, number][] = [];
  const warnings: string[] = [];
  const result = await projects.prepare({
    assignment: assignment(answer.ok ? answer.ticket.bundleId : undefined),
    chunkDir,
    signal: new AbortController().signal,
    log: silentLog,
    openBundle: async () => answer,
    onDownload: (done, total) => downloads.push([done, total]),
    onWarning: (m) => warnings.push(m),
  });
  return { result, chunkDir, downloads, warnings };
}

function files(): FileSpec[] {
  const shared = randomBytes(4000);
  return [
    { path: 'project.aep', data: Buffer.from('RIFX project bytes'), role: 'project' },
    { path: 'footage/Shot 01/plate.mov', data: randomBytes(2 * MiB + 777) },
    { path: 'footage/empty.txt', data: Buffer.alloc(0), role: 'other' },
    { path: 'audio/music.wav', data: shared, role: 'audio' },
    { path: 'audio/copy of music.wav', data: shared, role: 'audio' },
  ];
}

test('download → cache → bundle folder: every file byte-identical at its path, hard-linked to the cache', async (t) => {
  const s = await setup(t);
  const spec = files();
  const ticket = makeTicket(s.storage, s.node.publicKey, spec);
  const { result, chunkDir, downloads } = await prepare(s, { ok: true, ticket });
  if ('error' in result) return t.fail(result.error);
  const bundleDir = join(chunkDir, 'bundle');
  t.is(result.projectPath, join(bundleDir, 'project.aep'));
  for (const file of spec) {
    const placed = join(bundleDir, ...file.path.split('/'));
    t.is(sha256(await readFile(placed)), sha256(file.data), file.path);
    t.is((await stat(placed)).ino, (await stat(s.cache.path(sha256(file.data)))).ino, `${file.path} is a link to its cached blob`);
  }
  t.is(s.storage.totalRequests(), 4, 'the two identical files were fetched once');
  const total = ticket.blobs.reduce((sum, b) => sum + b.sealedSize, 0);
  t.deepEqual(downloads.at(-1), [total, total]);
  t.is(s.cache.blobCount, 4);
  t.deepEqual(s.cache.cachedBundles(), [ticket.bundleId]);
  result.release();
});

test('a bundle already cached is not downloaded again, even after a restart', async (t) => {
  const s = await setup(t);
  const ticket = makeTicket(s.storage, s.node.publicKey, files());
  const first = await prepare(s, { ok: true, ticket });
  t.false('error' in first.result);
  const requests = s.storage.totalRequests();
  const second = await prepare(s, { ok: true, ticket });
  t.false('error' in second.result);
  t.is(s.storage.totalRequests(), requests, 'no request the second time');
  t.deepEqual(second.downloads, [[0, 0]]);
  // restart: a fresh cache object over the same folder
  const reopened = await BlobCache.open({ dir: s.cache.dir });
  t.deepEqual(reopened.cachedBundles(), [ticket.bundleId]);
  const third = await prepare(s, { ok: true, ticket }, new BundleProjects({ cache: reopened, boxSecretKey: s.node.secretKey }));
  if ('error' in third.result) return t.fail(third.result.error);
  t.is(s.storage.totalRequests(), requests);
  t.is(sha256(await readFile(join(third.chunkDir, 'bundle', 'footage', 'Shot 01', 'plate.mov'))), ticket.manifest.files.find((f) => f.path.endsWith('plate.mov'))!.sha256);
});

/** Refused, with nothing of the bad blob anywhere: not in the cache, not in its temp folder, no bundle folder. */
const refused = test.macro(async (t, tamper: TicketOptions & { patch?: (ticket: BundleTicket) => void }, message: RegExp) => {
  const s = await setup(t);
  const bad = { path: 'footage/bad.mov', data: randomBytes(300_000) };
  const ticket = makeTicket(s.storage, s.node.publicKey, [{ path: 'project.aep', data: Buffer.from('aep'), role: 'project' }, bad], {
    ...tamper,
    ...(tamper.tamper ? { tamper: (b) => (b.path === bad.path ? tamper.tamper!(b) : undefined) } : {}),
  });
  tamper.patch?.(ticket);
  const { result, chunkDir } = await prepare(s, { ok: true, ticket });
  if (!('error' in result)) return t.fail('prepared a bundle that should have been refused');
  t.regex(result.error, message);
  const badSha = ticket.manifest.files.find((f) => f.path === bad.path)!.sha256;
  t.false(s.cache.has(badSha));
  t.false(existsSync(s.cache.path(badSha)));
  t.false(existsSync(s.cache.path(sha256(bad.data))));
  t.deepEqual(await readdir(join(s.cache.dir, 'tmp')), [], 'no half-written download');
  t.false(existsSync(join(chunkDir, 'bundle')), 'nothing laid out');
  t.deepEqual(s.cache.cachedBundles(), []);
});

test('a blob whose bytes do not hash to the manifest sha256 is refused', refused, { tamper: (b) => void (b.sha256 = 'e'.repeat(64)) }, /failed its hash check/);
test('a size lie (manifest smaller than the data) is refused', refused, { tamper: (b) => void (b.size = 1000) }, /more than the 1000 bytes/);
test('a size lie (manifest larger than the data) is refused', refused, { tamper: (b) => void (b.size += 1) }, /decrypted to 300000 bytes, not the 300001/);
test('a tampered record is refused (BundleCryptoError)', refused, { tamper: (b) => void (b.sealed[17 + 1000]! ^= 1) }, /failed authentication at record 0/);
test('a truncated blob is refused (BundleCryptoError)', refused, { tamper: (b) => ((b.sealed = b.sealed.subarray(0, b.sealed.length - 30)), (b.sealedSize = b.sealed.length)) }, /ended before its last record|failed authentication/);
test('a key sealed for another node is refused before anything is fetched', refused, { sealTo: testNode().publicKey }, /sealed for another node/);
test('a wrong content key is refused (BundleCryptoError)', refused, { tamper: (b) => void (b.key = new Uint8Array(32).fill(7)) }, /failed authentication at record 0/);
test('a sealed size that is not what storage holds is refused', refused, { tamper: (b) => void (b.sealedSize -= 16) }, /ticket says/);
test(
  'a ticket that lacks a blob for a manifest file is refused',
  refused,
  { patch: (ticket) => void (ticket.blobs = ticket.blobs.filter((b) => b.sha256 !== ticket.manifest.files[1]!.sha256)) },
  /has no blob for "footage\/bad.mov"/,
);

test('a bundle bigger than the drive can hold is refused before any download', async (t) => {
  const s = await setup(t);
  const ticket = makeTicket(s.storage, s.node.publicKey, [
    { path: 'p.aep', data: Buffer.from('x'), role: 'project' },
    { path: 'huge.mov', data: Buffer.from('y') },
  ], { tamper: (b) => void (b.path === 'huge.mov' && (b.size = 2 ** 50)) });
  const { result } = await prepare(s, { ok: true, ticket });
  if (!('error' in result)) return t.fail();
  t.regex(result.error, /^This node has [\d.]+ GB free in .* but the bundle needs 1048576\.0 GB more\. Free space/);
  t.is(s.storage.totalRequests(), 0);
});

test('the key sealed for another node: no request reaches storage', async (t) => {
  const s = await setup(t);
  const ticket = makeTicket(s.storage, s.node.publicKey, [{ path: 'p.aep', data: Buffer.from('x'), role: 'project' }], { sealTo: testNode().publicKey });
  const { result } = await prepare(s, { ok: true, ticket });
  t.true('error' in result);
  t.is(s.storage.totalRequests(), 0);
});

test('the coordinator refusing bundle:open fails with its message, and nothing is fetched', async (t) => {
  const s = await setup(t);
  const { result } = await prepare(s, { ok: false, message: 'The bundle was deleted after 7 days (not_found)' });
  if (!('error' in result)) return t.fail();
  t.is(result.error, 'The coordinator would not open the bundle: The bundle was deleted after 7 days (not_found)');
  t.is(s.storage.totalRequests(), 0);
});

test('a hostile path in the ticket is refused even though the coordinator should have caught it', async (t) => {
  const s = await setup(t);
  const ticket = makeTicket(s.storage, s.node.publicKey, [
    { path: 'p.aep', data: Buffer.from('x'), role: 'project' },
    { path: '../../escaped.txt', data: Buffer.from('pwned') },
  ]);
  const { result, chunkDir } = await prepare(s, { ok: true, ticket });
  if (!('error' in result)) return t.fail();
  t.regex(result.error, /"\.\.\/\.\.\/escaped\.txt" has a "\.\." segment/);
  t.false(existsSync(join(chunkDir, '..', '..', 'escaped.txt')));
  t.false(existsSync(join(chunkDir, 'bundle')));
});

test('a download cut twice still lands; a blob that keeps failing fails the chunk with a retry hint', async (t) => {
  const s = await setup(t);
  const spec = [
    { path: 'p.aep', data: Buffer.from('x'), role: 'project' as const },
    { path: 'big.mov', data: randomBytes(2 * MiB) },
  ];
  const flaky = makeTicket(s.storage, s.node.publicKey, spec, { misbehave: { 'big.mov': { dropAfter: { bytes: 100_000, times: 2 } } } });
  const ok = await prepare(s, { ok: true, ticket: flaky });
  t.false('error' in ok.result);
  const s2 = await setup(t);
  const broken = makeTicket(s2.storage, s2.node.publicKey, spec, { misbehave: { 'big.mov': { status: { code: 503, times: 99 } } } });
  const failed = await prepare(s2, { ok: true, ticket: broken });
  if (!('error' in failed.result)) return t.fail();
  t.regex(failed.result.error, /could not be downloaded \(Storage answered 503.*\)\. The chunk will be retried\./);
  t.deepEqual(await readdir(join(s2.cache.dir, 'tmp')), []);
});

test('originalPath matching: Windows paths ignore case and slash direction; macOS paths match exactly', (t) => {
  const placed = new Map([
    ['footage/a.mov', '/work/b/footage/a.mov'],
    ['footage/b.mov', '/work/b/footage/b.mov'],
    ['unc.mov', '/work/b/unc.mov'],
  ]);
  const relink = relinkTable(
    [
      { path: 'footage/a.mov', originalPath: 'C:\\Users\\Ana\\Shots\\A.mov' },
      { path: 'footage/b.mov', originalPath: '/Users/ana/Shots/b.mov' },
      { path: 'unc.mov', originalPath: '\\\\nas\\share\\unc.mov' },
      { path: 'p.aep' },
    ],
    placed,
  );
  t.is(relink('c:/users/ana/shots/a.MOV'), '/work/b/footage/a.mov');
  t.is(relink('C:\\Users\\Ana\\Shots\\A.mov'), '/work/b/footage/a.mov');
  t.is(relink('/Users/ana/Shots/b.mov'), '/work/b/footage/b.mov');
  t.is(relink('/users/ana/shots/b.mov'), null, 'POSIX paths are case-sensitive');
  t.is(relink('//NAS/share/UNC.mov'), '/work/b/unc.mov');
  t.is(relink('D:\\elsewhere.mov'), null);
  t.is(originalPathKey('C:/A/B'), 'c:\\a\\b');
});

// A real AE project (saved on Windows) whose footage points at C:\Users\tropi\…\Audio1.mp3.
const FIXTURE = new URL('../../../shared/fixtures/aep/bodymovin-sound-template.aep', import.meta.url);
const haveFixture = existsSync(FIXTURE);
(haveFixture ? test : test.skip)(
  `the project is relinked to the bundle folder and the relinked copy is what renders${haveFixture ? '' : ' [skipped: ../shared/fixtures/aep/ is not beside the repo]'}`,
  async (t) => {
    const s = await setup(t);
    const project = await readFile(FIXTURE);
    const audio = randomBytes(5000);
    const ticket = makeTicket(s.storage, s.node.publicKey, [
      { path: 'project/template.aep', data: project, role: 'project' },
      // as the panel may record it: other case, forward slashes
      { path: 'assets/Audio1.mp3', data: audio, role: 'audio', originalPath: 'c:/users/TROPI/Projects/bodymovin-extension/bundle/assets/templates/Audio1.mp3' },
    ]);
    const { result, chunkDir, warnings } = await prepare(s, { ok: true, ticket });
    if ('error' in result) return t.fail(result.error);
    const bundleDir = join(chunkDir, 'bundle');
    t.is(result.projectPath, join(bundleDir, 'project', 'template.relinked.aep'));
    const relinked = readAep(new Uint8Array(await readFile(result.projectPath)));
    const footage = relinked.footage.filter((f) => f.kind === 'file');
    t.deepEqual(
      footage.map((f) => f.path),
      [join(bundleDir, 'assets', 'Audio1.mp3')],
    );
    t.deepEqual(warnings, []);
    t.is(sha256(await readFile(join(bundleDir, 'project', 'template.aep'))), sha256(project), 'the original stays as packed');
  },
);

test('footage no bundle file matches is reported as a warning', async (t) => {
  const s = await setup(t);
  const ticket = makeTicket(s.storage, s.node.publicKey, [
    { path: 'p.aep', data: Buffer.from('aep'), role: 'project' },
    { path: 'a.mov', data: Buffer.from('a'), originalPath: 'C:\\a.mov' },
  ]);
  const fakeRelink = (bytes: Uint8Array, relink: (p: string) => string | null) => {
    const to = relink('c:/A.MOV');
    return { bytes, relinked: to ? [{ from: 'c:/A.MOV', to }] : [], unchanged: ['C:\\missing.mov'] };
  };
  const { result, warnings } = await prepare(s, { ok: true, ticket }, s.projects({ relinkAep: fakeRelink }));
  if ('error' in result) return t.fail(result.error);
  t.regex(result.projectPath, /p\.relinked\.aep$/);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!, /1 footage path\(s\) match no file in the bundle.*C:\\missing\.mov/);
});
