// Where bundle files and outputs live in storage, and the contexts their keys are wrapped under.
// Both are derived from the rows' identity, so a wrapped key or an object cannot be passed off
// as another owner's, another chunk's or another epoch's.

export const BLOB_PREFIX = 'blobs/';
export const OUTPUT_PREFIX = 'outputs/';

export function blobObjectKey(ownerId: string, sha256: string): string {
  return `${BLOB_PREFIX}${ownerId}/${sha256}`;
}

export function blobKeyContext(ownerId: string, sha256: string): string {
  return `blob:${ownerId}:${sha256}`;
}

export function outputObjectKey(jobId: string, chunkId: string, epoch: number, name: string): string {
  return `${OUTPUT_PREFIX}${jobId}/${chunkId}-${epoch}/${outputSegment(name)}`;
}

export function outputKeyContext(jobId: string, chunkId: string, epoch: number): string {
  return `output:${jobId}:${chunkId}:${epoch}`;
}

/**
 * Output names allow capitals and a leading "." or "_", storage keys do not: such names (and
 * any starting with "x-") are stored as "x-<hex of the name>", so no two names share a key.
 */
function outputSegment(name: string): string {
  if (/^[a-z0-9][a-z0-9._-]*$/.test(name) && !name.includes('..') && !name.startsWith('x-')) return name;
  return `x-${Buffer.from(name, 'utf8').toString('hex')}`;
}

/** The blob an object key names, or null when it is not a blob key. */
export function parseBlobObjectKey(key: string): { ownerId: string; sha256: string } | null {
  const m = /^blobs\/([0-9a-f-]{36})\/([0-9a-f]{64})$/.exec(key);
  return m ? { ownerId: m[1]!, sha256: m[2]! } : null;
}

/** The chunk and epoch an output object key belongs to, or null when it is not an output key. */
export function parseOutputObjectKey(key: string): { jobId: string; chunkId: string; epoch: number } | null {
  const m = /^outputs\/([0-9a-f-]{36})\/([0-9a-f-]{36})-(\d+)\/[^/]+$/.exec(key);
  return m ? { jobId: m[1]!, chunkId: m[2]!, epoch: Number(m[3]) } : null;
}
