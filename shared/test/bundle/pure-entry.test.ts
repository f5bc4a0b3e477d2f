import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const bundleDir = fileURLToPath(new URL('../../src/bundle/', import.meta.url));
const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1] as string);
}

// The panel (a browser) imports '@cloudexport/shared': what index.ts exports from bundle/ must not reach node:*.
test('the bundle files exported from index.ts are pure: no node: imports, no Buffer, no *-node files', async (t) => {
  const exported = importsOf(await readFile(index, 'utf8')).filter((s) => s.startsWith('./bundle/'));
  t.true(exported.length >= 3, exported.join());
  const seen = new Set<string>();
  const queue = exported.map((s) => s.replace('./bundle/', '').replace(/\.js$/, '.ts'));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    t.false(file.endsWith('-node.ts'), `${file} is Node-only`);
    const source = await readFile(bundleDir + file, 'utf8');
    for (const spec of importsOf(source)) {
      t.false(spec.startsWith('node:') || ['crypto', 'stream', 'fs', 'buffer'].includes(spec), `${file} imports ${spec}`);
      if (spec.startsWith('./')) queue.push(spec.slice(2).replace(/\.js$/, '.ts'));
    }
    t.false(/\bBuffer\b/.test(source.replace(/\/\/.*$/gm, '')), `${file} uses Buffer`);
  }
  const nodeFiles = (await readdir(bundleDir)).filter((f) => f.endsWith('-node.ts'));
  t.true(nodeFiles.length >= 3);
  for (const f of nodeFiles) t.false(seen.has(f));
});
