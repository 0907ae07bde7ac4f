import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactText, SecretRedactor, secretValues } from '../src/redact-secrets.ts';

test('the values to redact: secret-named variables (and the password of a secret URL), not flags or short values', () => {
  const values = secretValues({
    BATON__BACKEND__PASSWORD: 'hunter2-pass',
    BATON__REDIS__URL: 'redis://:p%40ss-word@10.0.0.1:6379/0',
    GITHUB_TOKEN: 'ghp_abcdef',
    FEATURE_TOKEN_ENABLED: 'true',
    SHORT_SECRET: 'abc',
    PATH: '/usr/bin:/bin',
    UNSET_PASSWORD: undefined,
  });
  assert.deepEqual(values, ['redis://:p%40ss-word@10.0.0.1:6379/0', 'hunter2-pass', 'ghp_abcdef', 'p@ss-word']);
});

test('redactText: every occurrence, the longer secret first when one contains another', () => {
  const table: Array<[string, string[], string]> = [
    ['no secrets here', ['hunter2'], 'no secrets here'],
    ['pw=hunter2 and again hunter2.', ['hunter2'], 'pw=[redacted] and again [redacted].'],
    ['hunter2hunter2', ['hunter2'], '[redacted][redacted]'],
    ['url redis://:hunter2@h', ['redis://:hunter2@h', 'hunter2'], 'url [redacted]'],
    ['anything', [], 'anything'],
    ['', ['hunter2'], ''],
  ];
  for (const [text, secrets, expected] of table) assert.equal(redactText(text, secrets), expected, `${text} / ${secrets.join(',')}`);
});

test('a secret split across chunks anywhere is still redacted; nothing else is lost or reordered', () => {
  const text = 'start hunter2-pass middle hunter2-pass end';
  const expected = 'start [redacted] middle [redacted] end';
  for (let size = 1; size <= text.length; size += 1) {
    const redactor = new SecretRedactor(['hunter2-pass']);
    const out: Buffer[] = [];
    for (let at = 0; at < text.length; at += size) out.push(redactor.push(Buffer.from(text.slice(at, at + size))));
    out.push(redactor.end());
    assert.equal(Buffer.concat(out).toString('utf8'), expected, `chunks of ${size}`);
  }
});

test('without secrets chunks pass through untouched and nothing is held back', () => {
  const redactor = new SecretRedactor([]);
  const chunk = Buffer.from('as is');
  assert.equal(redactor.push(chunk), chunk);
  assert.equal(redactor.end().length, 0);
});
