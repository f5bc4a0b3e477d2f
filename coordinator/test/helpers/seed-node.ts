import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/open-database.js';
import { NodeEntity } from '../../src/db/entities/index.js';
import type { NodeState } from '@cloudexport/shared';

/** Render nodes enroll through the agent (a later issue); until then tests insert them directly. */
export async function seedNode(db: Database, ownerId: string, fields: { state?: NodeState; tierId?: string | null; name?: string } = {}): Promise<string> {
  const em = db.orm.em.fork();
  const now = new Date();
  const node = em.create(NodeEntity, {
    id: randomUUID(),
    ownerId,
    name: fields.name ?? 'test-node',
    state: fields.state ?? 'online',
    signingPublicKey: randomBytes(32).toString('base64'),
    boxPublicKey: randomBytes(32).toString('base64'),
    gpus: [{ model: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', vramMb: 24_564, driver: '550.54' }],
    tierId: fields.tierId === undefined ? 'high-end' : fields.tierId,
    vramMb: 24_564,
    aeInstalls: [{ version: '24.1', major: 24, path: 'C:\\Program Files\\Adobe\\Adobe After Effects 2024\\Support Files\\aerender.exe' }],
    hardware: {},
    agentVersion: '0.1.0',
    lastHeartbeatAt: now,
    currentChunkId: null,
    disabledReason: null,
    revokedAt: null,
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  return node.id;
}

/** A valid enrollment request with fresh keys, as the agent sends it. */
export function enrollBody(token: string, name = 'gpu-box') {
  return {
    token,
    name,
    signingPublicKey: randomBytes(32).toString('base64'),
    boxPublicKey: randomBytes(32).toString('base64'),
    machine: {
      gpus: [{ model: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', vramMb: 24_564, driver: '550.54' }],
      cpu: { model: 'AMD Ryzen 9 7950X', cores: 16 },
      ramMb: 65_536,
      freeDiskMb: 500_000,
      os: { platform: 'win32', release: '10.0.22631', arch: 'x64', hostname: name },
      aeInstalls: [{ version: '24.1', major: 24, path: 'C:\\Program Files\\Adobe\\Adobe After Effects 2024\\Support Files\\aerender.exe' }],
      ffmpeg: null,
      agentVersion: '0.1.0',
    },
  };
}
