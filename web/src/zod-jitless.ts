// zod probes `new Function` when a schema is built, which the console's CSP refuses (and logs).
// Imported first by main.tsx: the shared schemas are built while their modules load.
import { z } from 'zod';

z.config({ jitless: true });
