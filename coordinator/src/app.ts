import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { buildApiRouter } from './api/build-router.js';
import type { Deps } from './api/deps.js';
import { errorMiddleware } from './api/error-middleware.js';
import { handlers } from './api/handlers/index.js';
import { buildOpenApiDocument } from './api/openapi.js';
import { RateLimiter } from './api/rate-limiter.js';
import { bootstrapAdmin, type BootstrapResult } from './auth/bootstrap-admin.js';
import { SignInLockout } from './auth/sign-in-lockout.js';
import { systemClock, type Clock } from './clock.js';
import type { CoordinatorConfig } from './config.js';
import type { Database } from './db/open-database.js';
import { seedDefaultTiers } from './tiers/tier-table.js';
import { VERSION } from './version.js';
import { Server as SocketServer } from 'socket.io';
import { ChunkLifecycle } from './fleet/chunk-lifecycle.js';
import { Dispatcher } from './fleet/dispatcher.js';
import { DEFAULT_FLEET_TIMING, type FleetTiming } from './fleet/fleet-timing.js';
import { reconcileJobs } from './fleet/job-progress.js';
import { sweepLapsedLeases } from './fleet/lease-sweeper.js';
import { AgentRegistry, attachAgentGateway } from './realtime/agent-gateway.js';
import { EventBus } from './realtime/event-bus.js';
import { attachLiveGateway } from './realtime/live-gateway.js';
import { PreviewHub } from './realtime/preview-hub.js';
import { previewRoutes } from './realtime/preview-route.js';
import { startBundleRetention, type BundleRetention } from './bundles/bundle-retention.js';
import { outputDownloadRoutes } from './bundles/output-download.js';
import { ChunkOutputCheck } from './bundles/output-check.js';
import { loadOrCreateSecret, MASTER_KEY_FILE } from './secrets/data-dir-secret.js';
import type { ObjectStorage } from './storage/object-storage.js';
import { storageFromConfig } from './storage/storage-from-config.js';
import { consoleRoutes } from './console/console-routes.js';
import { startMetricsSampler, type MetricsSampler } from './metrics/metrics-sampler.js';
import { prometheusRoutes } from './metrics/prometheus.js';

export interface CoordinatorParts {
  config: CoordinatorConfig;
  db: Database;
  log: Logger;
  clock?: Clock;
  /** Heartbeat, lease and sweep periods. Default DEFAULT_FLEET_TIMING. */
  timing?: FleetTiming;
  /** Object storage; default: the driver `config.storage` names (the caller closes one it passes). */
  storage?: ObjectStorage;
}

export interface Coordinator {
  app: Koa;
  deps: Deps;
  bootstrap: BootstrapResult;
  /** Starts listening on config.port (0: any free port) and resolves with the URL. */
  listen(): Promise<string>;
  /** Stops accepting requests and waits for those in flight. The database is the caller's. */
  close(): Promise<void>;
}

export async function createCoordinator(parts: CoordinatorParts): Promise<Coordinator> {
  const { config, db, log } = parts;
  const clock = parts.clock ?? systemClock;
  const timing = parts.timing ?? DEFAULT_FLEET_TIMING;
  const bus = new EventBus();
  const masterKey = config.masterKey ?? (await masterKeyFromDataDir(config.dataDir, db.kind, log));
  // local storage links point at the coordinator itself, whose port is known only after listen
  let listenUrl: string | null = null;
  const publicBaseUrl = () => config.publicUrl ?? listenUrl ?? `http://localhost:${config.port}`;
  const configured = parts.storage ? null : await storageFromConfig(config.storage, config.dataDir, publicBaseUrl, clock);
  const storage = parts.storage ?? configured!.storage;
  const lifecycle = new ChunkLifecycle({ orm: db.orm, clock, log, bus, timing, outputs: new ChunkOutputCheck(db.orm, storage) });
  const deps: Deps = { config, orm: db.orm, clock, log, rateLimiter: new RateLimiter(config.rateLimit, clock), signInLockout: new SignInLockout(clock), bus, lifecycle, timing, storage, masterKey, previews: new PreviewHub({ clock, bus }) };
  const registry = new AgentRegistry();
  const dispatcher = new Dispatcher(registry, lifecycle, timing, log);
  bus.on('work', () => dispatcher.kick());
  bus.on('node', (node) => dispatcher.noteNode(node));
  bus.on('revoke', ({ nodeId, chunkId, epoch, reason }) => registry.sockets.get(nodeId)?.emit('chunk:cancel', { chunkId, epoch, reason }));
  bus.on('nodeCommand', ({ nodeId, state, revoked }) => {
    const socket = registry.sockets.get(nodeId);
    socket?.emit('node:state', { state });
    // a revoked identity keeps no connection: the handshake refuses it from now on
    if (revoked) socket?.disconnect(true);
  });

  const em = db.orm.em.fork();
  await seedDefaultTiers(em, clock.now());
  const bootstrap = await bootstrapAdmin(em, config.dataDir, { adminKey: config.adminKey, adminPassword: config.adminPassword }, clock.now());

  const openApi = buildOpenApiDocument(VERSION);
  const app = new Koa({ proxy: false });
  // a client that drops an upload or a download mid-body ends here: not worth a stack trace
  app.on('error', (err: Error & { code?: string; status?: number }, ctx?: Koa.Context) => {
    const dropped = err.code === 'ECONNRESET' || err.code === 'ECONNABORTED' || err.code === 'EPIPE' || err.code === 'ERR_STREAM_PREMATURE_CLOSE' || /aborted/i.test(err.message);
    if (dropped) log.debug({ path: ctx?.path, reason: err.message }, 'client went away mid-request');
    else log.warn({ path: ctx?.path, reason: err.message, code: err.code }, 'request failed after its answer began');
  });
  app.use(requestLog(log));
  app.use(errorMiddleware(log));
  // signed storage links stream their bodies to disk: mounted before any body parser
  if (configured?.routes) app.use(configured.routes.routes());
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: config.maxJsonBytes, jsonStrict: true }));

  const root = new Router();
  root.get('/healthz', async (ctx) => {
    try {
      await db.orm.em.getConnection().execute('select 1');
      ctx.body = { status: 'ok', version: VERSION, database: db.kind };
    } catch (err) {
      log.warn({ err }, 'health check: database unreachable');
      ctx.status = 503;
      ctx.body = { status: 'unavailable', version: VERSION, database: db.kind };
    }
  });
  root.get('/api/v1/openapi.json', (ctx) => {
    ctx.body = openApi;
  });
  app.use(root.routes());
  app.use(outputDownloadRoutes(deps).routes());
  app.use(previewRoutes(deps).routes());
  const api = buildApiRouter(handlers, deps);
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: false }));
  app.use(prometheusRoutes(deps).routes());
  // last: it answers browsers' page loads anywhere outside the API with the console
  app.use(consoleRoutes(config.consoleDir));

  let server: Server | null = null;
  let io: SocketServer | null = null;
  let agentGateway: { close(): void } | null = null;
  let retention: BundleRetention | null = null;
  let sampler: MetricsSampler | null = null;
  const timers: NodeJS.Timeout[] = [];
  return {
    app,
    bootstrap,
    deps,
    async listen() {
      const extended = await lifecycle.extendLeasesForRestart();
      if (extended) log.info({ chunks: extended, graceMs: timing.restartGraceMs }, 'held chunks keep their lease while agents reconnect');
      return new Promise<string>((resolve, reject) => {
        server = createServer(app.callback());
        io = new SocketServer(server, { serveClient: false, cors: { origin: false } });
        agentGateway = attachAgentGateway(io, deps, registry);
        attachLiveGateway(io, deps);
        timers.push(
          setInterval(() => void sweepLapsedLeases(lifecycle, clock).catch((err: unknown) => log.error({ err }, 'lease sweep failed')), timing.sweepIntervalMs),
          setInterval(() => dispatcher.kick(), Math.max(1_000, timing.heartbeatIntervalMs)),
          setInterval(() => void reconcileJobs(db.orm, clock.now()).catch((err: unknown) => log.error({ err }, 'job reconciliation failed')), 10_000),
        );
        retention = startBundleRetention({ orm: db.orm, storage, log, clock }, config.retentionDays);
        sampler = startMetricsSampler({ orm: db.orm, clock, log, sampleMs: config.metricsSampleMs });
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server!.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
          listenUrl = `http://${host}:${port}`;
          resolve(listenUrl);
        });
      });
    },
    async close() {
      for (const t of timers.splice(0)) clearInterval(t);
      agentGateway?.close();
      await retention?.stop();
      retention = null;
      await sampler?.stop();
      sampler = null;
      const s = server;
      if (!s) return configured?.close();
      server = null;
      await new Promise<void>((resolve) => (io ? io.close(() => resolve()) : resolve()));
      io = null;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeIdleConnections();
      });
      configured?.close();
    },
  };
}

/** The master key kept in the data folder; every coordinator sharing a database needs the same one. */
async function masterKeyFromDataDir(dataDir: string, database: Database['kind'], log: Logger): Promise<Buffer> {
  const { key, file, generated } = await loadOrCreateSecret(dataDir, MASTER_KEY_FILE);
  if (generated) log.info({ file }, 'generated the master key content keys are wrapped under; back it up with the database');
  if (database !== 'embedded') {
    log.warn({ file }, 'CLOUDEXPORT_MASTER_KEY is not set: content keys are wrapped under this data folder’s key. Coordinators sharing this database must all use one key: set CLOUDEXPORT_MASTER_KEY to the contents of this file on each.');
  }
  return key;
}

function requestLog(log: Logger): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const requestId = ctx.get('x-request-id') || randomUUID();
    ctx.set('x-request-id', requestId);
    try {
      await next();
    } finally {
      log.debug({ requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  };
}
