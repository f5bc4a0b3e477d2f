import test from 'ava';
import { z } from 'zod';
import { apiRoutes, type RouteDef } from '../src/api/routes.js';
import { createJobBodySchema } from '../src/api/jobs.js';
import { updateTierBodySchema } from '../src/api/tiers.js';

const job = { comp: { name: 'Main', width: 1920, height: 1080, fps: 25, frameStart: 0, frameEnd: 99 }, preset: 'web' };

test('a minimal job spec takes the documented defaults', (t) => {
  const parsed = createJobBodySchema.parse(job);
  t.is(parsed.priority, 50);
  t.is(parsed.complexity, 'standard');
  t.false(parsed.thirdPartyPlugins);
  t.is(parsed.bundleBytes, 0);
});

test('job specs are strict, bounded and consistent', (t) => {
  const fails = (v: unknown, path: string) => {
    const r = createJobBodySchema.safeParse(v);
    t.false(r.success, JSON.stringify(v));
    if (!r.success) t.true(r.error.issues.some((i) => i.path.join('.') === path || (i.code === 'unrecognized_keys' && i.keys.some((k) => [...i.path, k].join('.') === path))), `${path}: ${JSON.stringify(r.error.issues)}`);
  };
  fails({ ...job, extra: 1 }, 'extra');
  fails({ ...job, comp: { ...job.comp, frameEnd: -1 } }, 'comp.frameEnd');
  fails({ ...job, comp: { ...job.comp, frameStart: 50, frameEnd: 10 } }, 'comp.frameEnd');
  fails({ ...job, comp: { ...job.comp, fps: 0 } }, 'comp.fps');
  fails({ ...job, comp: { ...job.comp, frameEnd: Number.MAX_SAFE_INTEGER } }, 'comp.frameEnd');
  fails({ ...job, preset: 'custom' }, 'custom');
});

test('a tier price keeps at most six decimals', (t) => {
  t.true(updateTierBodySchema.safeParse({ pricePerMinuteUsd: 0.123456 }).success);
  t.false(updateTierBodySchema.safeParse({ pricePerMinuteUsd: 0.1234567 }).success);
  t.false(updateTierBodySchema.safeParse({}).success);
});

test('every route declares distinct method+path, and every schema converts to JSON Schema', (t) => {
  const seen = new Set<string>();
  for (const [name, route] of Object.entries(apiRoutes) as [string, RouteDef][]) {
    const key = `${route.method} ${route.path}`;
    t.false(seen.has(key), `${name} duplicates ${key}`);
    seen.add(key);
    for (const s of [route.params, route.query, route.body, route.response]) {
      if (s) t.notThrows(() => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }), name);
    }
  }
});
