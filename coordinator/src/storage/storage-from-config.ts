import { ciphertextSize, MAX_BLOB_BYTES, MIN_RECORD_SIZE } from '@cloudexport/shared';
import type Router from '@koa/router';
import type { Clock } from '../clock.js';
import type { StorageConfig } from '../config.js';
import { loadOrCreateSecret, STORAGE_SECRET_FILE } from '../secrets/data-dir-secret.js';
import { createStorage } from './create-storage.js';
import { localStorageRoutes } from './local-storage-routes.js';
import type { ObjectStorage } from './object-storage.js';

/** The largest object the coordinator signs for: the largest blob, sealed in the smallest records. */
export const MAX_SEALED_OBJECT_BYTES = ciphertextSize(MAX_BLOB_BYTES, MIN_RECORD_SIZE);

export interface ConfiguredStorage {
  storage: ObjectStorage;
  /** The local driver's `/storage/…` routes, to mount on the app; null for S3. */
  routes: Router | null;
  /** Releases the driver's connections. */
  close(): void;
}

/** The configured driver; the local one signs links with a secret kept in the data folder. */
export async function storageFromConfig(config: StorageConfig, dataDir: string, publicBaseUrl: () => string, clock: Clock): Promise<ConfiguredStorage> {
  if (config.kind === 'local') {
    const { key } = await loadOrCreateSecret(dataDir, STORAGE_SECRET_FILE);
    const storage = createStorage({ kind: 'local', root: config.root, secret: key, publicBaseUrl, clock, maxUploadBytes: MAX_SEALED_OBJECT_BYTES });
    return { storage, routes: localStorageRoutes(storage), close: () => undefined };
  }
  const storage = createStorage({
    kind: 's3',
    bucket: config.bucket,
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    clock,
    maxUploadBytes: MAX_SEALED_OBJECT_BYTES,
  });
  return { storage, routes: null, close: () => storage.destroy() };
}
