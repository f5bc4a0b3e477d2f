// `npm start`: the whole product on one machine — the coordinator on the embedded database and
// local storage, and one local render node enrolled against it. The web console joins here.
import { optionsFromEnv, startCoordinator } from '@cloudexport/coordinator';
import { startLocalNode } from './local-node.js';

const coordinator = await startCoordinator(optionsFromEnv(process.env)).catch((err: unknown) => {
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
