// `npm start`: the whole product on one machine — the coordinator on the embedded database and
// local storage, the web console at its root (built first when its sources changed), and one
// local render node enrolled against it.
import { optionsFromEnv, startCoordinator } from '@cloudexport/coordinator';
import { ensureConsoleBuilt } from './console-build.js';
import { startLocalNode } from './local-node.js';

const options = optionsFromEnv(process.env);
if (!options.consoleDir) {
  process.stdout.write('Building the web console… ');
  options.consoleDir = await ensureConsoleBuilt().then(
    (dir) => (console.log('done'), dir),
    (err: unknown) => {
      console.log(`failed: ${err instanceof Error ? err.message : String(err)}; the coordinator runs without its console.`);
      return undefined;
    },
  );
}

const coordinator = await startCoordinator(options).catch((err: unknown) => {
  console.error(`cloudexport: could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

const localUrl = coordinator.url.replace('://localhost', '://127.0.0.1');
const node = await startLocalNode({ coordinatorUrl: localUrl, dataDir: coordinator.dataDir, token: () => coordinator.localEnrollmentToken() }).catch((err: unknown) => {
  console.error(`cloudexport: ${err instanceof Error ? err.message : String(err)}; the coordinator runs on without it.`);
  return null;
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    void (node?.stop() ?? Promise.resolve()).then(() => coordinator.stop()).then(() => process.exit(0));
  });
}
