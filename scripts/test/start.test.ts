import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { eventually } from '../../coordinator/test/helpers/test-agent.js';

// The README's first command, `npm start`, as a user runs it: one process starts the coordinator
// on the embedded database and local storage, serves the console, and enrolls and runs a local
// render node; Ctrl-C stops it all. Revoking that node tells the user how to enroll it again.

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ADMIN_KEY = 'ce_start_test_admin_key_0123456789';

test('npm start: coordinator, console and a local node that enrolls; a revoked local node says how to come back; SIGTERM stops it', async (t) => {
  t.timeout(180_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'ce-start-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', CLOUDEXPORT_DATA_DIR: dataDir, CLOUDEXPORT_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL; // the embedded database, as on a fresh clone
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/src/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  // on a failure, stop it as Ctrl-C would, so it stops its local agent too; SIGKILL only if that hangs
  t.teardown(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  });
  // a timeout says what the product printed by then
  const waitFor = <T>(check: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> =>
    eventually(check, ms, what).catch((err: Error) => {
      throw new Error(`${err.message}; it printed:\n${output}`);
    }) as Promise<T>;

  const url = await waitFor(() => /CloudExport coordinator: (http:\/\/\S+)/.exec(output)?.[1], 120_000, 'the coordinator’s URL');
  const api = (method: string, path: string) => fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}` } });

  const page = await fetch(`${url}/`);
  t.is(page.status, 200);
  t.regex(await page.text(), /<div id="app"|<script type="module"/, 'the console is served at /');

  const nodes = await waitFor(
    async () => {
      const list = (await (await api('GET', '/nodes')).json()) as { items: { id: string; name: string; connected: boolean }[] };
      return list.items.length === 1 && list.items[0]!.connected ? list.items : undefined;
    },
    60_000,
    'the local node enrolled and connected',
  );
  t.regex(nodes[0]!.name, /\(local\)$/);

  t.is((await api('DELETE', `/nodes/${nodes[0]!.id}`)).status, 200);
  await waitFor(() => /The local node was revoked\. .*delete .*local-node/.test(output) || undefined, 30_000, 'the hint to enroll it again');

  child.kill('SIGTERM');
  t.is(await exited, 0, output);
  t.regex(output, /SIGTERM: stopping/);
});
