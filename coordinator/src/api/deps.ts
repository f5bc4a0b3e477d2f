import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { SignInLockout } from '../auth/sign-in-lockout.js';
import type { CoordinatorConfig } from '../config.js';
import type { ChunkLifecycle } from '../fleet/chunk-lifecycle.js';
import type { FleetTiming } from '../fleet/fleet-timing.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { PreviewHub } from '../realtime/preview-hub.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { RateLimiter } from './rate-limiter.js';

/** What request handlers may use; built once by `createCoordinator`. */
export interface Deps {
  config: CoordinatorConfig;
  orm: MikroORM;
  clock: Clock;
  log: Logger;
  /** Per API key, and per address for failed sign-ins. */
  rateLimiter: RateLimiter;
  /** Failed password checks per address and email: 5 in 15 minutes, then 429. */
  signInLockout: SignInLockout;
  bus: EventBus;
  lifecycle: ChunkLifecycle;
  timing: FleetTiming;
  /** Where bundle files and outputs are kept (ciphertext only). */
  storage: ObjectStorage;
  /** Content keys are kept wrapped under this (32 bytes). */
  masterKey: Buffer;
  /** The latest preview frame of each running job, and its delivery to live subscribers. */
  previews: PreviewHub;
}
