import { StorageError, StorageErrorCode } from './object-storage.js';

/** Refuses download names that could break the Content-Disposition header they end up in. */
export function checkFileName(name: string): void {
  if (name.length === 0 || name.length > 200 || /[\u0000-\u001f\u007f"\\/]/.test(name)) {
    throw new StorageError(StorageErrorCode.invalidRequest, 'A download file name must be 1–200 characters without quotes, slashes or control characters.');
  }
}

/** `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 6266). */
export function contentDisposition(fileName: string): string {
  checkFileName(fileName);
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_');
  const exact = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}
