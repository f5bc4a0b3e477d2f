import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const agentBin = resolve(dirname(fileURLToPath(import.meta.url)), '../../node-agent/bin/cloudexport-agent.js');

/** Runs the agent CLI as its own process, its lines prefixed so they read apart from the coordinator's. */
function agent(args: string[], prefix: string, onLine: (line: string) => void = () => {}): ChildProcess {
  const child = spawn(process.execPath, [agentBin, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        console.log(`${prefix} ${line}`);
        onLine(line);
      }
    });
  }
  return child;
}

/**
 * A fleet of one: enrolls this machine against the local coordinator on first start (its keys
 * live in <data>/local-node) and runs the agent beside it. It honours AERENDER_PATH.
 */
export async function startLocalNode(options: { coordinatorUrl: string; dataDir: string; token: () => Promise<string> }): Promise<{ stop(): Promise<void> }> {
  const home = join(options.dataDir, 'local-node');
  const enrolled = await access(join(home, 'identity.json')).then(() => true, () => false);
  if (!enrolled) {
    const token = await options.token();
    const enroll = agent(['--home', home, 'enroll', '--coordinator', options.coordinatorUrl, '--token', token, '--name', `${hostname()} (local)`], '[node]');
    const code = await new Promise<number | null>((r) => enroll.on('exit', r));
    if (code !== 0) throw new Error('the local render node could not enroll (see the [node] lines above)');
  }
  // an admin may revoke the local node like any other: say how to enroll it again
  let hinted = false;
  const run = agent(['--home', home, 'run'], '[node]', (line) => {
    if (hinted || !/refused this node: .*revoked/.test(line)) return;
    hinted = true;
    console.log(`[node] The local node was revoked. To render on this machine again, stop, delete ${home} and run npm start: it enrolls afresh.`);
  });
  return {
    async stop() {
      if (run.exitCode !== null) return;
      run.kill('SIGTERM');
      await new Promise((r) => run.on('exit', r));
    },
  };
}
