import test from 'ava';
import type { AuditEntry } from '@cloudexport/shared';
import { actorLabel, compactDetails, targetHref } from '../src/admin/audit-entry.js';
import { filterFromForm, filterFromQuery, filterToApiQuery, filterToSearch, formFromFilter, isoToLocalInput, localInputToIso } from '../src/admin/audit-filter.js';

// the conversions depend on the browser's zone: pin one with DST and one with a half-hour offset
function inZone<T>(tz: string, run: () => T): T {
  const before = process.env['TZ'];
  process.env['TZ'] = tz;
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env['TZ'];
    else process.env['TZ'] = before;
  }
}

test.serial('a datetime-local value becomes ISO 8601 with the zone offset of that date (DST included)', (t) => {
  inZone('America/New_York', () => {
    t.is(localInputToIso('2025-01-15T10:00'), '2025-01-15T10:00:00-05:00');
    t.is(localInputToIso('2025-07-15T10:00'), '2025-07-15T10:00:00-04:00');
    t.is(Date.parse(localInputToIso('2025-07-15T10:00')!), Date.parse('2025-07-15T14:00:00Z'));
  });
  inZone('Asia/Kolkata', () => {
    t.is(localInputToIso('2025-03-01T23:45:30'), '2025-03-01T23:45:30+05:30');
  });
  inZone('UTC', () => t.is(localInputToIso('2025-03-01T00:00'), '2025-03-01T00:00:00+00:00'));
});

test.serial('an ISO timestamp goes back into the datetime-local input in the local zone', (t) => {
  inZone('Asia/Kolkata', () => {
    t.is(isoToLocalInput('2025-03-01T18:15:30Z'), '2025-03-01T23:45');
    t.is(isoToLocalInput(localInputToIso('2025-12-31T08:05')!), '2025-12-31T08:05');
  });
  t.is(isoToLocalInput('yesterday'), '');
  t.is(isoToLocalInput('2025-03-01T18:15:30'), '', 'no offset: not a timestamp the API takes');
});

test('malformed or impossible input times are refused, not sent', (t) => {
  t.is(localInputToIso(''), null);
  t.is(localInputToIso('2025-02-30T10:00'), null);
  t.is(localInputToIso('10:00'), null);
});

test('the filter round-trips through the URL query, and only set fields appear', (t) => {
  const filter = { actorId: '6d1f5c1e-0000-4000-8000-000000000001', action: 'job.', since: '2025-01-15T10:00:00-05:00', until: '' };
  const search = filterToSearch(filter);
  t.is(search, '?actor=6d1f5c1e-0000-4000-8000-000000000001&action=job.&since=2025-01-15T10%3A00%3A00-05%3A00');
  const query = Object.fromEntries(new URLSearchParams(search.slice(1)));
  t.deepEqual(filterFromQuery(query), filter);
  t.deepEqual(filterToApiQuery(filter), { actorId: filter.actorId, action: 'job.', since: filter.since });
  t.is(filterToSearch({ actorId: '', action: '', since: '', until: '' }), '');
});

test('a hand-edited URL with a bad time drops that field instead of failing the whole page', (t) => {
  const f = filterFromQuery({ action: ' user.update ', since: 'last tuesday', until: '2025-01-15T10:00:00Z' });
  t.deepEqual(f, { actorId: '', action: 'user.update', since: '', until: '2025-01-15T10:00:00Z' });
});

test.serial('the form is checked: spaces in an action, until before since', (t) => {
  inZone('UTC', () => {
    const bad = filterFromForm({ actor: '', action: 'job create', since: '2025-01-02T00:00', until: '2025-01-01T00:00' });
    t.truthy(bad.errors.action);
    t.regex(bad.errors.until ?? '', /after since/);
    const good = filterFromForm({ actor: '  abc ', action: 'job.', since: '2025-01-01T00:00', until: '' });
    t.deepEqual(good.errors, {});
    t.deepEqual(good.filter, { actorId: 'abc', action: 'job.', since: '2025-01-01T00:00:00+00:00', until: '' });
    t.deepEqual(formFromFilter(good.filter), { actor: 'abc', action: 'job.', since: '2025-01-01T00:00', until: '' });
  });
});

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: 'e1',
  at: '2025-01-01T00:00:00Z',
  actorKind: 'user',
  actorId: 'u1',
  action: 'job.create',
  targetType: null,
  targetId: null,
  details: {},
  ip: null,
  ...over,
});

test('actors read as people, nodes or system; unknown ids are shortened', (t) => {
  const users = new Map([['u1', { name: 'Ana', email: 'ana@studio.com' }]]);
  const nodes = new Map([['n1', { name: 'gpu-box' }]]);
  t.is(actorLabel(entry({}), users, nodes), 'Ana <ana@studio.com>');
  t.is(actorLabel(entry({ actorKind: 'node', actorId: 'n1' }), users, nodes), 'node gpu-box');
  t.is(actorLabel(entry({ actorKind: 'system', actorId: null }), users, nodes), 'system');
  t.is(actorLabel(entry({ actorId: '0123456789abcdef' }), users, nodes), 'user 01234567…');
});

test('targets link to the job or node page where the type says so', (t) => {
  t.is(targetHref(entry({ targetType: 'job', targetId: 'j1' })), '/jobs/j1');
  t.is(targetHref(entry({ targetType: 'node', targetId: 'n1' })), '/nodes/n1');
  t.is(targetHref(entry({ targetType: 'chunk', targetId: 'c1', details: { jobId: 'j9' } })), '/jobs/j9');
  t.is(targetHref(entry({ targetType: 'tier', targetId: 'entry' })), null);
  t.is(targetHref(entry({ targetType: 'job', targetId: null })), null);
});

test('details are compact JSON, cut with the full text kept', (t) => {
  t.deepEqual(compactDetails({}), { short: '', full: '', cut: false });
  t.deepEqual(compactDetails({ from: 'QUEUED', to: 'RENDERING' }), { short: '{"from":"QUEUED","to":"RENDERING"}', full: '{\n  "from": "QUEUED",\n  "to": "RENDERING"\n}', cut: false });
  const long = compactDetails({ text: 'x'.repeat(200) }, 40);
  t.true(long.cut);
  t.is(long.short.length, 40);
  t.true(long.full.includes('x'.repeat(200)));
});
