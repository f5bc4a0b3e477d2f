// Pack then upload, as one step with one progress report: what the panel's Export button and
// `cloudexport submit` run once the artist has confirmed.
import type { CoordinatorClient } from '../api/coordinator-client.js';
import { packBundle, type PackAsset, type PackedBundle } from './pack.js';
import { uploadBundle, type UploadOptions, type UploadResult } from './upload.js';

export interface BundleProgress {
  phase: 'hashing' | 'uploading';
  hashedBytes: number;
  hashTotal: number;
  sealedBytes: number;
  sealTotal: number;
  uploadedBytes: number;
  uploadTotal: number;
}

export interface ExportBundleOptions extends Omit<UploadOptions, 'bundle' | 'onProgress'> {
  client: CoordinatorClient;
  projectPath: string;
  /** Recorded as the project's original path; default its absolute path here. */
  projectOriginalPath?: string;
  assets: readonly PackAsset[];
  comp?: string;
  createdBy?: string;
  onProgress?: (progress: BundleProgress) => void;
}

export interface ExportBundleResult {
  packed: PackedBundle;
  upload: UploadResult;
}

export async function exportBundle(options: ExportBundleOptions): Promise<ExportBundleResult> {
  const { projectPath, projectOriginalPath, assets, comp, createdBy, onProgress, ...upload } = options;
  const state: BundleProgress = { phase: 'hashing', hashedBytes: 0, hashTotal: 0, sealedBytes: 0, sealTotal: 0, uploadedBytes: 0, uploadTotal: 0 };
  const packed = await packBundle({
    projectPath,
    assets,
    ...(projectOriginalPath === undefined ? {} : { projectOriginalPath }),
    ...(comp === undefined ? {} : { comp }),
    ...(createdBy === undefined ? {} : { createdBy }),
    ...(upload.concurrency === undefined ? {} : { concurrency: upload.concurrency }),
    ...(upload.signal ? { signal: upload.signal } : {}),
    onProgress: (p) => onProgress?.(Object.assign(state, { hashedBytes: p.hashedBytes, hashTotal: p.totalBytes })),
  });
  state.hashedBytes = state.hashTotal = packed.totalBytes;
  state.phase = 'uploading';
  const result = await uploadBundle({
    ...upload,
    bundle: packed,
    onProgress: (p) => onProgress?.(Object.assign(state, { sealedBytes: p.sealedBytes, sealTotal: p.sealTotal, uploadedBytes: p.uploadedBytes, uploadTotal: p.uploadTotal })),
  });
  return { packed, upload: result };
}
