import test from 'ava';
import { CoordinatorClient } from '../src/api/coordinator-client.js';

test('a request the coordinator rate-limits (429) is sent again after the wait it asks for', async (t) => {
  const calls: string[] = [];
  const fetchStub = (async (url: string | URL | Request) => {
    calls.push(String(url));
    if (calls.length === 1) return new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests.' } }), { status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' } });
    return new Response('frame bytes', { status: 200 });
  }) as typeof fetch;
  const client = new CoordinatorClient({ baseUrl: 'http://coordinator.test', apiKey: 'ce_test', fetch: fetchStub });
  const started = Date.now();
  const response = await client.send('GET', '/jobs/x/outputs/frame_00001.png');
  t.is(await response.text(), 'frame bytes');
  t.is(calls.length, 2, 'asked twice');
  t.true(Date.now() - started >= 900, 'waited as Retry-After said');
});
