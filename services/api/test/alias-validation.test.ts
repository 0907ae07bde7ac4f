/**
 * discover ?alias=: a new cluster's alias is letters, digits and . _ - : (1 to 128), the set of
 * @baton/config. Anything else — shell injection attempts included — is a 400 naming the field,
 * and no command is published.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness } from './harness.ts';

const refused: Array<[string, string]> = [
  ['command substitution', '$(touch${IFS}pwned)'],
  ['backticks', '`touch pwned`'],
  ['semicolon', 'a;b'],
  ['newline', 'a\nb'],
  ['space', 'a b'],
  ['braces', '{failedHost}'],
  ['single quote', "o'rders"],
  ['pipe', 'a|b'],
  ['slash', 'a/b'],
  ['too long', 'x'.repeat(129)],
  ['empty', ''],
];

for (const [what, alias] of refused) {
  test(`discover refuses an alias with ${what}: 400 naming the field, nothing published`, async (t) => {
    const h = await harness(t, { commandWaitMs: 150 });
    const r = await h.get(`/api/discover/db2/3306?alias=${encodeURIComponent(alias)}`);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.Code, 'ERROR');
    assert.match(r.body.Message as string, /^bad parameter alias: /);
    assert.deepEqual((r.body.Details as { field?: string }).field, 'alias');
    assert.equal(h.commands.published.length, 0);
  });
}

test('discover accepts aliases of letters, digits and . _ - :', async (t) => {
  const h = await harness(t, { commandWaitMs: 150 });
  for (const alias of ['orders', 'billing-eu_2', 'db9.example.com:3306', 'x'.repeat(128)]) {
    const r = await h.get(`/api/discover/db2/3306?alias=${encodeURIComponent(alias)}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(h.commands.published.at(-1)?.key, alias);
  }
});
