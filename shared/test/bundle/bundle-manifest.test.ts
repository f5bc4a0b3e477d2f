import test from 'ava';
import { createHash } from 'node:crypto';
import { BundleManifestError, bundleManifestSchema, canonicalManifestJson, parseManifestJson, type BundleManifest } from '../../src/index.js';
import { manifestId } from '../../src/node.js';

const sha = (c: string) => c.repeat(64);
const manifest: BundleManifest = {
  version: 1,
  project: { path: 'project/Main.aep', comp: 'Main' },
  files: [
    { path: 'project/Main.aep', size: 123_456, sha256: sha('a'), role: 'project', originalPath: 'C:\\Users\\ana\\Work\\Main.aep' },
    { path: 'footage/intro.mov', size: 9_000_000_000, sha256: sha('b'), role: 'footage', originalPath: '/Volumes/Media/intro.mov' },
    { path: 'fonts/Inter.ttf', size: 0, sha256: sha('c'), role: 'font' },
    { path: 'audio/theme.wav', size: 1, sha256: sha('d'), role: 'audio', originalPath: '\\\\nas\\share\\theme.wav' },
  ],
  createdBy: 'cloudexport-panel 0.1.0',
};

function withFiles(files: BundleManifest['files']): BundleManifest {
  return { ...manifest, files: [...manifest.files, ...files] };
}

/** The issue messages for the file at `index`, or [] when the manifest is accepted. */
function problemsAt(m: unknown, index: number): string[] {
  const r = bundleManifestSchema.safeParse(m);
  if (r.success) return [];
  return r.error.issues.filter((i) => i.path[0] === 'files' && i.path[1] === index).map((i) => i.message);
}

test('a well-formed manifest is accepted as is', (t) => {
  t.deepEqual(bundleManifestSchema.parse(manifest), manifest);
});

const hostile: Array<[string, RegExp]> = [
  ['/etc/passwd', /absolute/],
  ['C:\\Windows\\x', /absolute/],
  ['C:/Windows/x', /absolute/],
  ['c:x', /absolute/],
  ['\\\\server\\share\\x', /absolute/],
  ['//server/share/x', /absolute/],
  ['..', /"\.\."/],
  ['../x', /"\.\."/],
  ['footage/../../x', /"\.\."/],
  ['footage/..', /"\.\."/],
  ['footage\\intro.mov', /backslash/],
  ['footage//intro.mov', /empty segment/],
  ['footage/', /empty segment/],
  ['', /empty/],
  ['foot\0age/x', /NUL/],
  ['footage/a\nb', /control/],
  ['./x', /"\."/],
  ['footage/a:b', /Windows/],
  ['footage/a?.mov', /Windows/],
  ['footage/intro.', /strips/],
  ['footage/intro ', /strips/],
  ['footage/CON', /reserved device/],
  ['aux.txt', /reserved device/],
  ['footage/\ud800x', /Unicode/],
  ['a/'.repeat(600) + 'b', /longer/],
];
for (const [path, why] of hostile) {
  test(`the bundle path ${JSON.stringify(path).slice(0, 40)} is refused`, (t) => {
    const problems = problemsAt(withFiles([{ path, size: 1, sha256: sha('e'), role: 'other' }]), manifest.files.length);
    t.true(problems.some((p) => why.test(p)), JSON.stringify(problems));
    const asProject = bundleManifestSchema.safeParse({ ...manifest, project: { path } });
    t.false(asProject.success);
  });
}

test('duplicate paths are refused, ignoring case and Unicode normalization', (t) => {
  const dup = (path: string) => problemsAt(withFiles([{ path, size: 1, sha256: sha('e'), role: 'footage' }]), manifest.files.length);
  t.regex(dup('footage/intro.mov').join(), /listed twice/);
  t.regex(dup('Footage/INTRO.mov').join(), /listed twice/);
  const nfc = 'footage/caf\u00e9.mov';
  const nfd = 'footage/cafe\u0301.mov';
  t.regex(problemsAt(withFiles([{ path: nfc, size: 1, sha256: sha('e'), role: 'footage' }, { path: nfd, size: 1, sha256: sha('f'), role: 'footage' }]), manifest.files.length + 1).join(), /listed twice/);
  t.deepEqual(dup('footage/intro2.mov'), []);
});

test('a path that is both a file and a folder is refused', (t) => {
  const m = withFiles([{ path: 'footage/intro.mov/frame1.png', size: 1, sha256: sha('e'), role: 'footage' }]);
  t.regex(problemsAt(m, 1).join(), /both a file and a folder/);
  const folded = withFiles([{ path: 'FONTS/inter.ttf/x', size: 1, sha256: sha('e'), role: 'other' }]);
  t.regex(problemsAt(folded, 2).join(), /both a file and a folder/);
});

test('sizes must be safe non-negative integers and hashes 64 lowercase hex digits', (t) => {
  const file = (over: object) => withFiles([{ path: 'other/x', size: 1, sha256: sha('e'), role: 'other', ...over }]);
  const at = manifest.files.length;
  for (const size of [-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '5']) t.true(problemsAt(file({ size }), at).length > 0, String(size));
  for (const size of [0, Number.MAX_SAFE_INTEGER]) t.deepEqual(problemsAt(file({ size }), at), [], String(size));
  for (const sha256 of [sha('A'), sha('a').slice(1), sha('g'), `${sha('a')}0`, '']) t.true(problemsAt(file({ sha256 }), at).length > 0, sha256);
  t.true(problemsAt(file({ role: 'plugin' }), at).length > 0);
  t.true(problemsAt(file({ extra: true }), at).length > 0);
});

test('originalPath must be an absolute Windows, UNC or macOS path', (t) => {
  const at = manifest.files.length;
  const file = (originalPath: string) => withFiles([{ path: 'other/x', size: 1, sha256: sha('e'), role: 'other', originalPath }]);
  for (const p of ['relative/x.mov', 'C:relative.mov', '', 'C:\\a\0b']) t.true(problemsAt(file(p), at).length > 0, p);
  for (const p of ['/Users/ana/x.mov', 'D:/x.mov', 'D:\\x.mov', '\\\\nas\\x.mov']) t.deepEqual(problemsAt(file(p), at), [], p);
});

test('the project must be one of the files, with role "project"', (t) => {
  t.false(bundleManifestSchema.safeParse({ ...manifest, project: { path: 'project/Other.aep' } }).success);
  t.false(bundleManifestSchema.safeParse({ ...manifest, project: { path: 'footage/intro.mov' } }).success);
  t.false(bundleManifestSchema.safeParse({ ...manifest, version: 2 }).success);
  t.false(bundleManifestSchema.safeParse({ ...manifest, extra: 1 }).success);
});

test('canonical JSON is byte-identical whatever the file order and key order', (t) => {
  const reordered: BundleManifest = {
    createdBy: manifest.createdBy,
    files: [...manifest.files].reverse().map((f) => Object.fromEntries(Object.entries(f).reverse()) as BundleManifest['files'][number]),
    project: { comp: 'Main', path: 'project/Main.aep' },
    version: 1,
  };
  const a = canonicalManifestJson(manifest);
  const b = canonicalManifestJson(reordered);
  t.true(Buffer.from(a).equals(b));
  t.is(manifestId(manifest), manifestId(reordered));
  t.is(manifestId(manifest), createHash('sha256').update(a).digest('hex'));
  t.not(manifestId(manifest), manifestId({ ...manifest, files: manifest.files.map((f, i) => (i === 1 ? { ...f, sha256: sha('f') } : f)) }));
});

test('canonical JSON has a pinned form: files by UTF-8 byte order, fixed keys, no whitespace', (t) => {
  const m: BundleManifest = {
    version: 1,
    project: { path: 'p.aep' },
    files: [
      { path: 'z/\u{1F600}.png', size: 2, sha256: sha('2'), role: 'footage' },
      { path: 'z/\uFF5E.png', size: 3, sha256: sha('3'), role: 'footage' },
      { path: 'p.aep', size: 1, sha256: sha('1'), role: 'project', originalPath: '/a/p.aep' },
      { path: 'Z.png', size: 4, sha256: sha('4'), role: 'other' },
    ],
  };
  const expected =
    `{"version":1,"project":{"path":"p.aep"},"files":[` +
    `{"path":"Z.png","size":4,"sha256":"${sha('4')}","role":"other"},` +
    `{"path":"p.aep","size":1,"sha256":"${sha('1')}","role":"project","originalPath":"/a/p.aep"},` +
    `{"path":"z/\uFF5E.png","size":3,"sha256":"${sha('3')}","role":"footage"},` + // U+FF5E sorts before U+1F600 in code point order (not in UTF-16 order)
    `{"path":"z/\u{1F600}.png","size":2,"sha256":"${sha('2')}","role":"footage"}]}`;
  t.is(new TextDecoder().decode(canonicalManifestJson(m)), expected);
});

test('canonical bytes parse back; invalid or non-canonical bytes are refused', (t) => {
  const bytes = canonicalManifestJson(manifest);
  t.deepEqual(parseManifestJson(bytes), bundleManifestSchema.parse(JSON.parse(new TextDecoder().decode(bytes))));
  const pretty = new TextEncoder().encode(JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 2));
  t.throws(() => parseManifestJson(pretty), { instanceOf: BundleManifestError, message: /canonical/ });
  t.throws(() => parseManifestJson(new TextEncoder().encode('{"version":1}')), { instanceOf: BundleManifestError, message: /invalid/ });
  t.throws(() => parseManifestJson(Uint8Array.from([0xff, 0xfe])), { instanceOf: BundleManifestError, message: /UTF-8 JSON/ });
});
