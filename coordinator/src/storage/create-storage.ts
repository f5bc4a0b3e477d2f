import { LocalDiskStorage, type LocalDiskStorageOptions } from './local-disk-storage.js';
import { S3Storage, type S3StorageOptions } from './s3-storage.js';

/** Which driver, with its options; the caller reads them from config, never this module. */
export type StorageOptions = ({ kind: 'local' } & LocalDiskStorageOptions) | ({ kind: 's3' } & S3StorageOptions);

/** A local driver also needs `localStorageRoutes(storage)` mounted on the coordinator's app. */
export function createStorage(options: { kind: 'local' } & LocalDiskStorageOptions): LocalDiskStorage;
export function createStorage(options: { kind: 's3' } & S3StorageOptions): S3Storage;
export function createStorage(options: StorageOptions): LocalDiskStorage | S3Storage;
export function createStorage(options: StorageOptions): LocalDiskStorage | S3Storage {
  switch (options.kind) {
    case 'local':
      return new LocalDiskStorage(options);
    case 's3':
      return new S3Storage(options);
  }
}
