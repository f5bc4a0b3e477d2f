// `cloudexport`: inspect an After Effects project, price it, render it on the network, get the
// result. The entry point: the only place that reads process.*.
import { homedir, tmpdir } from 'node:os';
import { ExitCode } from './cli-error.js';
import { runCli } from './program.js';

const interrupt = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(ExitCode.interrupted); // a second Ctrl-C: leave now
  interrupt.abort(new Error('Interrupted by Ctrl-C.'));
});

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  home: homedir(),
  tempDir: tmpdir(),
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
});
process.exitCode = code;
// a socket or timer left by an interrupted upload or follow must not hold the process open
setTimeout(() => process.exit(code), 500).unref();
