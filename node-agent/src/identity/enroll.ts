import type { EnrolledNode, MachineReport } from '@cloudexport/shared';
import { generateKeyPairs, saveIdentity, type NodeIdentity } from './node-identity.js';

export class EnrollError extends Error {}

/** Makes the node's key pairs, registers the public halves with a one-time token, keeps the private ones. */
export async function enroll(options: { coordinatorUrl: string; token: string; name: string; home: string; machine: MachineReport }): Promise<{ identity: NodeIdentity; file: string; tierId: string | null }> {
  const keys = generateKeyPairs();
  const url = `${options.coordinatorUrl.replace(/\/+$/, '')}/api/v1/nodes/enroll`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: options.token, name: options.name, signingPublicKey: keys.signing.publicKey, boxPublicKey: keys.box.publicKey, machine: options.machine }),
    });
  } catch (err) {
    throw new EnrollError(`Cannot reach the coordinator at ${options.coordinatorUrl} (${(err as Error).message}). Check the URL and that it is running.`);
  }
  const body = (await res.json().catch(() => null)) as (EnrolledNode & { error?: { message: string } }) | null;
  if (!res.ok || !body) throw new EnrollError(`Enrollment refused (${res.status}): ${body?.error?.message ?? 'no reason given'}`);
  const identity: NodeIdentity = { nodeId: body.nodeId, coordinatorUrl: options.coordinatorUrl, name: options.name, ...keys };
  const file = await saveIdentity(options.home, identity);
  return { identity, file, tierId: body.tierId };
}
