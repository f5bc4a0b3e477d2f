import test from 'ava';
import { resolveRange } from '../../src/storage/http-range.js';

test('Range headers resolve as RFC 9110 says', (t) => {
  t.deepEqual(resolveRange('bytes=0-0', 10), { start: 0, end: 0 });
  t.deepEqual(resolveRange('bytes=2-', 10), { start: 2, end: 9 });
  t.deepEqual(resolveRange('bytes=8-100', 10), { start: 8, end: 9 }, 'an end past the object is clamped');
  t.deepEqual(resolveRange('bytes=-3', 10), { start: 7, end: 9 });
  t.deepEqual(resolveRange('bytes=-30', 10), { start: 0, end: 9 }, 'a suffix longer than the object is the whole object');
  t.is(resolveRange('bytes=10-', 10), 'unsatisfiable');
  t.is(resolveRange('bytes=-0', 10), 'unsatisfiable');
  t.is(resolveRange('bytes=0-', 0), 'unsatisfiable', 'an empty object has no bytes to range over');
  for (const ignored of [undefined, '', 'bytes=5-2', 'bytes=0-1,4-5', 'items=0-1', 'bytes=-', 'bytes=a-b']) {
    t.is(resolveRange(ignored, 10), null, `${ignored} serves the whole object`);
  }
});
