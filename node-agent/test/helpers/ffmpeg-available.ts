import { execFileSync } from 'node:child_process';
import type { TestFn } from 'ava';

// Tests that need real ffmpeg and ffprobe (npm test installs Debian's with
// scripts/ci/ensure-ffmpeg.sh where it may) run serially where they are found, and say they
// were skipped, with why, where they are not.

export const FFMPEG = 'ffmpeg';
export const FFPROBE = 'ffprobe';

export const hasFfmpeg = (() => {
  try {
    execFileSync(FFMPEG, ['-version'], { stdio: 'ignore' });
    execFileSync(FFPROBE, ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `test.serial` where ffmpeg is found, else `test.serial.skip` and one skipped test naming `what`. */
export function serialWithFfmpeg<Context>(test: TestFn<Context>, what: string): TestFn<Context>['serial'] {
  if (!hasFfmpeg) test.skip(`${what} [skipped: ffmpeg/ffprobe not on PATH; run scripts/ci/ensure-ffmpeg.sh]`, () => {});
  return hasFfmpeg ? test.serial : (test.serial.skip as unknown as TestFn<Context>['serial']);
}
