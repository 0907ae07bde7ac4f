import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topics } from '@baton/contracts';
import { ConfigError } from '@baton/errors';
import { createMessageSigner, signerFromConfig } from '../src/index.ts';

const a = 'first-secret-of-the-deployment-000000';
const b = 'second-secret-of-the-deployment-11111';
const value = Buffer.from('{"type":"command"}');

test('a signature checks only for the same topic, key, bytes and an accepted secret', () => {
  const signer = createMessageSigner({ current: a });
  const header = signer.sign(topics.commands, 'orders', value);
  assert.match(header, /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{43}$/);
  const cases: Array<[string, Parameters<typeof signer.problem>, RegExp | undefined]> = [
    ['valid', [topics.commands, 'orders', value, header], undefined],
    ['no header', [topics.commands, 'orders', value, undefined], /^unsigned/],
    ['empty header', [topics.commands, 'orders', value, ''], /^unsigned/],
    ['garbage header', [topics.commands, 'orders', value, 'hmac=abc'], /^malformed/],
    ['extra part', [topics.commands, 'orders', value, `${header}.x`], /^malformed/],
    ['other topic', [topics.analyses, 'orders', value, header], /^forged/],
    ['other key', [topics.commands, 'billing', value, header], /^forged/],
    ['null key', [topics.commands, null, value, header], /^forged/],
    ['other bytes', [topics.commands, 'orders', Buffer.from('{"type":"command" }'), header], /^forged/],
    ['truncated mac', [topics.commands, 'orders', value, header.slice(0, -4)], /^forged/],
    ['unknown secret', [topics.commands, 'orders', value, createMessageSigner({ current: b }).sign(topics.commands, 'orders', value)], /does not hold \(key id [0-9a-f]{8}\)/],
  ];
  for (const [name, args, expected] of cases) {
    const problem = signer.problem(...args);
    if (expected) assert.match(problem ?? '', expected, name);
    else assert.equal(problem, undefined, name);
  }
});

test('rotation: the new secret signs, the previous one is still accepted, a removed one is not', () => {
  const old = createMessageSigner({ current: a });
  const rotating = createMessageSigner({ current: b, previous: [a] });
  const rotated = createMessageSigner({ current: b });
  const byOld = old.sign(topics.commands, 'k', value);
  const byNew = rotating.sign(topics.commands, 'k', value);
  assert.equal(rotating.problem(topics.commands, 'k', value, byOld), undefined);
  assert.equal(rotating.problem(topics.commands, 'k', value, byNew), undefined);
  assert.equal(rotated.problem(topics.commands, 'k', value, byNew), undefined);
  assert.match(rotated.problem(topics.commands, 'k', value, byOld) ?? '', /does not hold/);
  assert.notEqual(byNew.split('.')[1], byOld.split('.')[1], 'each secret has its own key id');
});

test('no signing secret configured: a ConfigError naming security.signingSecret', () => {
  assert.throws(() => signerFromConfig({}), (error: unknown) => error instanceof ConfigError && error.issues[0]?.key === 'security.signingSecret');
  assert.ok(signerFromConfig({ signingSecret: a, previousSigningSecrets: [b] }));
});
