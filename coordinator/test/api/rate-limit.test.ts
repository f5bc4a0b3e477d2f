import test from 'ava';
import { RateLimiter } from '../../src/api/rate-limiter.js';
import { manualClock, startTestCoordinator } from '../helpers/test-coordinator.js';

test('a bucket allows its burst, then refills at the sustained rate', (t) => {
  const clock = manualClock();
  const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, clock);
  t.true([1, 2, 3].every(() => limiter.take('a').ok));
  const refused = limiter.take('a');
  t.false(refused.ok);
  if (!refused.ok) t.is(refused.retryAfterSeconds, 1);
  t.true(limiter.take('b').ok, 'keys have buckets of their own');
  clock.advance(500);
  t.true(limiter.take('a').ok, 'half a second buys one token at 2/s');
  t.false(limiter.take('a').ok);
});

test('idle full buckets are dropped when there are too many keys', (t) => {
  const clock = manualClock();
  const limiter = new RateLimiter({ burst: 1, perSecond: 1 }, clock, 10);
  for (let i = 0; i < 20; i++) limiter.take(`k${i}`);
  clock.advance(5_000);
  limiter.take('trigger');
  t.true((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size <= 11);
});

test('the API answers 429 with Retry-After past a key’s budget, and other keys are unaffected', async (t) => {
  const c = await startTestCoordinator({ config: { rateLimitPerSecond: 1 } });
  try {
    const artist = await c.user('artist'); // the admin spent some of its budget creating it
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await c.call('GET', '/api/v1/me', { key: artist.key })).status);
    t.true(statuses.slice(0, 10).every((s) => s === 200), 'the burst goes through');
    const limited = await c.call('GET', '/api/v1/me', { key: artist.key });
    t.is(limited.status, 429);
    t.is(limited.body.error.code, 'rate_limited');
    t.truthy(limited.headers.get('retry-after'));
    const other = await c.call('GET', '/healthz');
    t.is(other.status, 200, 'health checks are never limited');
  } finally {
    await c.stop();
  }
});

test('guessing keys from one address is throttled', async (t) => {
  const c = await startTestCoordinator({ config: { rateLimitPerSecond: 1 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await c.call('GET', '/api/v1/me', { key: `ce_deadbeef_guess${i}` })).status);
    t.is(statuses[0], 401);
    t.is(statuses[14], 429);
  } finally {
    await c.stop();
  }
});
