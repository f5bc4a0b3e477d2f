import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Role } from '@cloudexport/shared';
import { createCoordinator, type Coordinator } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { compileConfig, type CoordinatorOptions } from '../../src/config.js';
import type { Database } from '../../src/db/open-database.js';
import { DEFAULT_FLEET_TIMING, type FleetTiming } from '../../src/fleet/fleet-timing.js';
import { openTestDatabase } from './test-database.js';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string;
  contentType?: string;
}

export interface Identity {
  id: string;
  key: string;
  role: Role;
  email: string;
}

export interface TestCoordinator {
  url: string;
  db: Database;
  coordinator: Coordinator;
  admin: Identity;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** Stops the HTTP side and starts a fresh coordinator on the same port and database. */
  restart(downMs?: number): Promise<void>;
  /** A new user of this role with an API key. */
  user(role: Role, name?: string): Promise<Identity>;
  stop(): Promise<void>;
}

/** The real coordinator on port 0 of loopback, on a database of its own. */
export async function startTestCoordinator(options: { clock?: Clock; config?: CoordinatorOptions; timing?: Partial<FleetTiming> } = {}): Promise<TestCoordinator> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ce-test-'));
  const adminKey = `test-admin-${randomBytes(16).toString('hex')}`;
  // tests fire hundreds of requests a second with one key; the limiter has tests of its own
  const config = compileConfig({ port: 0, host: '127.0.0.1', dataDir, adminKey, rateLimitPerSecond: 10_000, ...options.config });
  const db = await openTestDatabase();
  const build = (port: number) =>
    createCoordinator({
      config: { ...config, port },
      db,
      log: pino({ level: process.env.CE_TEST_LOG ?? 'silent' }),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.timing ? { timing: { ...DEFAULT_FLEET_TIMING, ...options.timing } } : {}),
    });
  let coordinator = await build(config.port);
  const url = await coordinator.listen();

  async function call<T>(method: string, path: string, o: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (o.key !== null && o.key !== undefined) headers.authorization = `Bearer ${o.key}`;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  const me = await call<{ id: string; email: string }>('GET', '/api/v1/me', { key: adminKey });
  const admin: Identity = { id: me.body.id, key: adminKey, role: 'admin', email: me.body.email };
  let n = 0;

  return {
    url,
    db,
    get coordinator() {
      return coordinator;
    },
    admin,
    call,
    async restart(downMs = 0) {
      await coordinator.close();
      await new Promise((r) => setTimeout(r, downMs));
      coordinator = await build(Number(new URL(url).port));
      await coordinator.listen();
    },
    async user(role, name) {
      n += 1;
      const email = `${role}${n}-${randomBytes(3).toString('hex')}@example.test`;
      const created = await call<{ id: string }>('POST', '/api/v1/users', { key: adminKey, body: { email, name: name ?? `${role} ${n}`, role } });
      if (created.status !== 201) throw new Error(`could not create user: ${JSON.stringify(created.body)}`);
      const key = await call<{ key: string }>('POST', '/api/v1/api-keys', { key: adminKey, body: { name: 'test', userId: created.body.id } });
      if (key.status !== 201) throw new Error(`could not create key: ${JSON.stringify(key.body)}`);
      return { id: created.body.id, key: key.body.key, role, email };
    },
    async stop() {
      await coordinator.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A clock a test moves by hand. */
export function manualClock(start = new Date('2026-01-01T00:00:00Z')): Clock & { advance(ms: number): void } {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

export const sampleJob = {
  comp: { name: 'Main', width: 1920, height: 1080, fps: 25, frameStart: 0, frameEnd: 249 },
  preset: 'web',
} as const;
