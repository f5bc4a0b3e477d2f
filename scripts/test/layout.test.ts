import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

// The layout tells the architecture: apps import `shared`, never each other; `shared` imports
// nothing of ours and its main entry stays pure (no node: modules), so the panel and the console
// can use it. Node-only helpers (`*-node.ts`) are reachable only from `@cloudexport/shared/node`.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const APPS = ['coordinator', 'node-agent', 'panel', 'web', 'installers'];

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (/\.(ts|tsx|mts)$/.test(entry.name)) out.push(p);
  }
  return out;
}

function importsOf(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
    specs.push((m[1] ?? m[2] ?? m[3])!);
  }
  return specs;
}

const isNodeOnly = (file: string) => /(^|[-/])node\.ts$/.test(file);

test('shared imports nothing of ours, and only its Node entry uses Node-only modules', async (t) => {
  const files = await sourceFiles(join(root, 'shared/src'));
  t.true(files.length > 5);
  for (const file of files) {
    for (const spec of importsOf(await readFile(file, 'utf8'))) {
      t.false(spec.startsWith('@cloudexport/'), `${relative(root, file)} imports ${spec}`);
      if (!isNodeOnly(file)) t.false(spec.startsWith('node:'), `${relative(root, file)} imports ${spec}`);
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
        t.true(target.startsWith(join(root, 'shared/src')), `${relative(root, file)} reaches out with ${spec}`);
        if (!isNodeOnly(file)) t.false(isNodeOnly(target), `${relative(root, file)} (pure) imports the Node-only ${spec}`);
      }
    }
  }
});

for (const app of APPS) {
  test(`${app} imports shared and nothing of another app`, async (t) => {
    const files = [...(await sourceFiles(join(root, app, 'src'))), ...(await sourceFiles(join(root, app, 'test')))];
    for (const file of files) {
      for (const spec of importsOf(await readFile(file, 'utf8'))) {
        if (spec.startsWith('@cloudexport/')) t.is(spec.split('/').slice(0, 2).join('/'), '@cloudexport/shared', `${relative(root, file)} imports ${spec}`);
        if (spec.startsWith('.')) t.true(resolve(dirname(file), spec).startsWith(join(root, app) + '/'), `${relative(root, file)} reaches out of ${app} with ${spec}`);
      }
    }
    t.pass();
  });
}
