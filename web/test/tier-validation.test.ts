import test from 'ava';
import { updateTierBodySchema } from '@cloudexport/shared';
import { formOf, parseModels, parsePrice, tierIssues, tierUpdate } from '../src/admin/tier-form.js';

const tier = { name: 'High-end', pricePerMinuteUsd: 0.5, models: ['RTX 4090', 'RTX 3090'] };

test('prices: positive, at most $1000, at most 6 decimals, written with a dot', (t) => {
  t.deepEqual(parsePrice('0.75'), { value: 0.75 });
  t.deepEqual(parsePrice(' $1.5 '), { value: 1.5 });
  t.deepEqual(parsePrice('.25'), { value: 0.25 });
  t.deepEqual(parsePrice('1000'), { value: 1000 });
  t.deepEqual(parsePrice('0.123456'), { value: 0.123456 });
  for (const bad of ['', '0', '0.0', '-1', '1000.01', '0.1234567', '1,5', 'abc', '.', '1e3']) {
    t.true('error' in parsePrice(bad), `"${bad}" must be refused`);
  }
  t.regex((parsePrice('0.1234567') as { error: string }).error, /6 decimals/);
});

test('every price the form accepts, the API accepts too', (t) => {
  for (const text of ['0.000001', '0.5', '2', '999.999999', '1000']) {
    const parsed = parsePrice(text);
    if (!('value' in parsed)) return t.fail(text);
    t.true(updateTierBodySchema.safeParse({ pricePerMinuteUsd: parsed.value }).success, text);
  }
});

test('models: one per line or comma separated, trimmed, blanks and repeats dropped', (t) => {
  t.deepEqual(parseModels('RTX 4090, RTX 3090\n\n  A100  \nRTX  4090\n'), ['RTX 4090', 'RTX 3090', 'A100']);
  t.deepEqual(parseModels(' , \n'), []);
});

test('only what changed is sent; an untouched row has nothing to save', (t) => {
  t.deepEqual(tierUpdate(tier, formOf(tier)), { body: null, errors: {} });
  t.deepEqual(tierUpdate(tier, { ...formOf(tier), price: '0.55' }), { body: { pricePerMinuteUsd: 0.55 }, errors: {} });
  const both = tierUpdate(tier, { name: ' Top ', price: '0.5', models: 'RTX 4090\nRTX 5090' });
  t.deepEqual(both.body, { name: 'Top', models: ['RTX 4090', 'RTX 5090'] });
  t.true(updateTierBodySchema.safeParse(both.body).success);
});

test('invalid fields come back as errors and nothing is sent', (t) => {
  const r = tierUpdate(tier, { name: '', price: '0', models: '\n' });
  t.is(r.body, null);
  t.truthy(r.errors.name);
  t.truthy(r.errors.price);
  t.truthy(r.errors.models);
  t.truthy(tierUpdate(tier, { ...formOf(tier), models: 'x'.repeat(65) }).errors.models);
});

test("the server's field issues land on the row's inputs", (t) => {
  const { errors, rest } = tierIssues([
    { path: 'pricePerMinuteUsd', message: 'At most 6 decimals.' },
    { path: 'models.3', message: 'Too long' },
    { path: '', message: 'Give at least one of name, pricePerMinuteUsd, models.' },
  ]);
  t.deepEqual(errors, { price: 'At most 6 decimals.', models: 'Too long' });
  t.deepEqual(rest, ['Give at least one of name, pricePerMinuteUsd, models.']);
});
