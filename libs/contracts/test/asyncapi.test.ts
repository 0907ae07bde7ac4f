// docs/asyncapi.yaml is valid AsyncAPI (@asyncapi/parser, no error diagnostics) and is exactly what
// the contracts generate today (npm run schemas:export), so it cannot drift from the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { renderAsyncApi } from '../scripts/asyncapi.ts';

const committed = readFileSync(new URL('../../../docs/asyncapi.yaml', import.meta.url), 'utf8');

test('docs/asyncapi.yaml equals the freshly generated document (run npm run schemas:export)', () => {
  assert.ok(committed === renderAsyncApi(), 'docs/asyncapi.yaml is stale: run npm run schemas:export');
});

test('docs/asyncapi.yaml parses as AsyncAPI with no error, every consumable topic with its prefix, key and signature', async () => {
  const { document, diagnostics } = await new Parser().parse(committed);
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  assert.deepEqual(errors.map((d) => `${d.path.join('/')}: ${d.message}`), []);
  assert.ok(document);
  const channels = document.channels().all().map((c) => c.address());
  assert.deepEqual(channels.sort(), ['{prefix}baton.analyses', '{prefix}baton.cluster-snapshots', '{prefix}baton.dead-letters', '{prefix}baton.recovery-events']);
  const events = document.channels().all().find((c) => c.address() === '{prefix}baton.recovery-events');
  const [message] = events?.messages().all() ?? [];
  assert.ok(message);
  assert.ok(message.headers()?.properties()?.['baton-signature'], 'the signature header');
  assert.equal((message.bindings().get('kafka')?.value() as { key?: { type?: string } }).key?.type, 'string', 'the message key');
  const payload = message.payload()?.json() as { properties: { payload: { anyOf: Array<{ properties: { step: { const: string } } }> } } };
  assert.ok(payload.properties.payload.anyOf.some((v) => v.properties.step.const === 'summary'), 'the summary step is in the envelope\'s payload');
});
