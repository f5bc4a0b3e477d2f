import { idSchema } from '@cloudexport/shared';
import { InvalidArgumentError } from 'commander';

/** Commander parser for a job id argument. */
export function jobId(value: string): string {
  if (!idSchema.safeParse(value).success) throw new InvalidArgumentError('expected a job id, a UUID like 3f2b8c1e-…, as submit printed it');
  return value.toLowerCase();
}
