import { createHash } from 'node:crypto';
import { canonicalManifestJson, type BundleManifest } from './bundle-manifest.js';

/** The manifest id: hex sha256 of its canonical bytes. (In a browser: SubtleCrypto.digest over the same bytes.) */
export function manifestId(manifest: BundleManifest): string {
  return createHash('sha256').update(canonicalManifestJson(manifest)).digest('hex');
}
