// The simulated fleet the dispatch and console benchmarks share, parent side: nodes written
// straight into the table (enrollment is not what they measure), the machine they report, and
// the child process that plays them (see bench-agent-socket.ts for its side).
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

export const BENCH_GPUS = [{ model: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', vramMb: 24564, driver: '550' }];
export const BENCH_AE_INSTALLS = [{ version: '24.1', major: 24, path: '/aerender' }];
/** What every simulated node says in its hello. */
export const BENCH_MACHINE = {
  gpus: BENCH_GPUS,
  cpu: { model: 'bench', cores: 8 },
  ramMb: 32768,
  freeDiskMb: 100000,
  os: { platform: 'linux', release: '6', arch: 'x64', hostname: 'bench' },
  aeInstalls: BENCH_AE_INSTALLS,
  ffmpeg: null,
  agentVersion: 'bench',
};

export interface BenchNode {
  nodeId: string;
  publicKey: string;
  privateKeyPem: string;
}

/** The database connection's one method used here (MikroORM's, or anything alike). */
interface Execute {
  execute(sql: string, params: unknown[]): Promise<unknown>;
}

/**
 * `count` high-end nodes of `ownerId`, offline until their agents connect, named gpu-0001…,
 * each with an Ed25519 key pair (its signing key, and standing in for its box key).
 */
export async function seedBenchNodes(conn: Execute, count: number, ownerId: string): Promise<BenchNode[]> {
  const nodes = Array.from({ length: count }, () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    return { nodeId: randomUUID(), publicKey: Buffer.from(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)).toString('base64'), privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
  });
  for (let i = 0; i < nodes.length; i += 500) {
    const batch = nodes.slice(i, i + 500);
    await conn.execute(
      `insert into nodes (id, owner_id, name, state, signing_public_key, box_public_key, gpus, tier_id, vram_mb, ae_installs, hardware, created_at, updated_at)
       select x.id::uuid, ?::uuid, x.name, 'offline', x.pk, x.pk, ?::jsonb, 'high-end', 24564, ?::jsonb, '{}'::jsonb, now(), now()
         from jsonb_to_recordset(?::jsonb) as x(id text, pk text, name text)`,
      [ownerId, JSON.stringify(BENCH_GPUS), JSON.stringify(BENCH_AE_INSTALLS), JSON.stringify(batch.map((n, j) => ({ id: n.nodeId, pk: n.publicKey, name: `gpu-${String(i + j + 1).padStart(4, '0')}` })))],
    );
  }
  return nodes;
}

/**
 * Starts the agents' child process with its input on stdin (the nodes' private keys, the
 * machine, and `extra`); `message(type)` waits for the next message of that type from it.
 */
export function forkBenchAgents(script: URL, url: string, nodes: readonly BenchNode[], extra: Record<string, unknown> = {}): { child: ChildProcess; message: (type: string) => Promise<any> } {
  const child = fork(script, { execArgv: ['--import', 'tsx'], stdio: ['pipe', 'inherit', 'inherit', 'ipc'] });
  child.stdin!.end(JSON.stringify({ url, nodes: nodes.map(({ nodeId, privateKeyPem }) => ({ nodeId, privateKeyPem })), machine: BENCH_MACHINE, ...extra }));
  // a child that dies (a refused handshake) fails the benchmark instead of hanging it
  const message = (type: string) =>
    new Promise<any>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`the simulated agents exited (${code}) before '${type}'`));
      child.once('exit', exited);
      child.on('message', function on(m: { type: string }) {
        if (m.type !== type) return;
        child.off('message', on);
        child.off('exit', exited);
        resolve(m);
      });
    });
  return { child, message };
}
