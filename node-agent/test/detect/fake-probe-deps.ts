import type { ExecResult, ProbeDeps, SiLike } from '../../src/detect/probe-deps.js';

/** What a fake program does: answer, or throw like a binary that cannot start. */
export type FakeProgram = (args: readonly string[]) => ExecResult | Promise<ExecResult>;

export interface FakeMachine {
  /** Files that exist (exact paths). */
  files?: string[];
  /** Programs by the exact command the code runs. Anything else rejects with ENOENT, as execFile does. */
  programs?: Record<string, FakeProgram>;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  si?: Partial<SiLike>;
  statfs?: ProbeDeps['statfs'];
  now?: Date;
}

export function ok(stdout: string, stderr = ''): ExecResult {
  return { code: 0, stdout, stderr, timedOut: false };
}

export function exited(code: number, stdout = '', stderr = ''): ExecResult {
  return { code, stdout, stderr, timedOut: false };
}

export function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`spawn ${code}`), { code });
}

export function fakeDeps(machine: FakeMachine = {}): ProbeDeps & { calls: { cmd: string; args: readonly string[]; timeoutMs: number }[] } {
  const files = new Set(machine.files ?? []);
  const calls: { cmd: string; args: readonly string[]; timeoutMs: number }[] = [];
  const noSi = (name: string) => () => Promise.reject(new Error(`si.${name} not faked`));
  return {
    calls,
    exec: async (cmd, args, { timeoutMs }) => {
      calls.push({ cmd, args, timeoutMs });
      const program = machine.programs?.[cmd];
      if (!program) throw errno('ENOENT');
      return program(args);
    },
    fileExists: async (path) => files.has(path),
    statfs: machine.statfs ?? (() => Promise.reject(errno('ENOENT'))),
    env: machine.env ?? {},
    platform: machine.platform ?? 'linux',
    host: { release: '10.0.22631', arch: 'x64', hostname: 'render-box' },
    si: {
      graphics: machine.si?.graphics ?? (async () => ({ controllers: [] })),
      cpu: machine.si?.cpu ?? noSi('cpu'),
      mem: machine.si?.mem ?? noSi('mem'),
      fsSize: machine.si?.fsSize ?? noSi('fsSize'),
    },
    now: () => machine.now ?? new Date('2025-06-01T12:00:00Z'),
  };
}
