import { spawnSync } from 'node:child_process';

/**
 * Kills a pty child and everything it started. node-pty's child is a session and process-group
 * leader, so signalling `-pid` reaches After Effects' helper processes too; `fallback` (the pty's
 * own kill) covers a group that is already gone or a platform without groups.
 */
export function killProcessTree(pid: number, fallback: () => void): void {
  try {
    if (process.platform === 'win32') {
      const result = spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true });
      if (result.status !== 0) fallback();
    } else {
      process.kill(-pid, 'SIGKILL');
    }
  } catch {
    try {
      fallback();
    } catch {
      // Already exited.
    }
  }
}
