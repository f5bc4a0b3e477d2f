import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { handshakeMessage, type AgentAuth } from '@cloudexport/shared';
import nacl from 'tweetnacl';

/** What a node keeps about itself: its id, where it enrolled, and its private keys. */
export interface NodeIdentity {
  nodeId: string;
  coordinatorUrl: string;
  name: string;
  signing: { publicKey: string; privateKeyPem: string };
  box: { publicKey: string; secretKey: string };
}

export interface KeyPairs {
  signing: NodeIdentity['signing'];
  box: NodeIdentity['box'];
}

export const IDENTITY_FILE = 'identity.json';

/** Fresh Ed25519 (proves the node) and X25519 (content keys are sealed to it) pairs. */
export function generateKeyPairs(): KeyPairs {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const rawPublic = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const box = nacl.box.keyPair();
  return {
    signing: { publicKey: Buffer.from(rawPublic).toString('base64'), privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() },
    box: { publicKey: Buffer.from(box.publicKey).toString('base64'), secretKey: Buffer.from(box.secretKey).toString('base64') },
  };
}

/** A signed handshake, fresh for every connection attempt. */
export function signHandshake(identity: Pick<NodeIdentity, 'nodeId' | 'signing'>, now = Date.now()): AgentAuth {
  const nonce = randomBytes(18).toString('base64url');
  const key = createPrivateKey(identity.signing.privateKeyPem);
  const signature = sign(null, Buffer.from(handshakeMessage(identity.nodeId, now, nonce)), key).toString('base64');
  return { nodeId: identity.nodeId, timestamp: now, nonce, signature };
}

export async function saveIdentity(home: string, identity: NodeIdentity): Promise<string> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const file = join(home, IDENTITY_FILE);
  await writeFile(file, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // the mode above is ignored when the file existed
  return file;
}

export async function loadIdentity(home: string): Promise<NodeIdentity | null> {
  try {
    return JSON.parse(await readFile(join(home, IDENTITY_FILE), 'utf8')) as NodeIdentity;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Cannot read ${join(home, IDENTITY_FILE)}: ${(err as Error).message}. Delete it and enroll again.`);
  }
}
