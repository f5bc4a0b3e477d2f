/** Thrown for any .aep input that cannot be read: not a RIFX project, truncated, or damaged. */
export class AepFormatError extends Error {
  override readonly name = 'AepFormatError';
  /** Byte offset in the file where the problem was found, when there is one. */
  readonly offset: number | null;

  constructor(detail: string, offset: number | null = null) {
    super(`Not an After Effects project: ${detail}`);
    this.offset = offset;
  }
}
