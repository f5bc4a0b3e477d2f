// `npm start`: the whole product on one machine — the coordinator on the embedded database and
// local storage. The web console and a local render node join here as they land.
import { optionsFromEnv, startCoordinator } from '@cloudexport/coordinator';

const coordinator = await startCoordinator(optionsFromEnv(process.env)).catch((err: unknown) => {
  console.error(`cloudexport: could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    void coordinator.stop().then(() => process.exit(0));
  });
}
