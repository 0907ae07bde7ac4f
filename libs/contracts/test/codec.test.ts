import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MessageValidationError } from '@baton/errors';
import {
  createEnvelope,
  decodeMessage,
  encodeMessage,
  jsonSchemaFiles,
  messageTypes,
  topicMessageType,
  topics,
  unknownInstance,
  type ClusterSnapshot,
} from '../src/index.ts';

const snapshot: ClusterSnapshot = {
  clusterId: 'main',
  clusterAlias: 'main',
  observedAt: '2026-11-26T19:30:00.000Z',
  detectorId: 'd1',
  sequence: 1,
  reason: 'tick',
  pollIntervalMs: 1000,
  instances: [unknownInstance('127.0.0.1', 3306, { lastSeenAt: '2026-11-26T19:30:00.000Z', flavour: 'mariadb' })],
};

test('an envelope round-trips through encode and decode', () => {
  const env = createEnvelope('cluster-snapshot', snapshot, { producer: 'detector', correlationId: 'c-1' });
  const { value, headers } = encodeMessage(topics.clusterSnapshots, env);
  assert.equal(headers['baton-type'], 'cluster-snapshot');
  assert.equal(headers['baton-schema-version'], '1');
  assert.equal(headers['baton-correlation-id'], 'c-1');
  assert.deepEqual(decodeMessage(topics.clusterSnapshots, value), env);
});

const bad: Array<{ name: string; value: Buffer | null; field: RegExp }> = [
  { name: 'no value', value: null, field: /no value/ },
  { name: 'not JSON', value: Buffer.from('{oops'), field: /not JSON/ },
  { name: 'missing envelope field', value: Buffer.from(JSON.stringify({ type: 'cluster-snapshot', payload: {} })), field: /\/schemaVersion|\/messageId/ },
  {
    name: 'wrong type for the topic',
    value: Buffer.from(JSON.stringify(createEnvelope('probe-request', { clusterId: 'c', instances: [], reason: 'x', requestedBy: 'y' }, { producer: 'p' }))),
    field: /\/type: expected cluster-snapshot/,
  },
  {
    name: 'bad payload field',
    value: Buffer.from(JSON.stringify({ ...createEnvelope('cluster-snapshot', snapshot, { producer: 'p' }), payload: { ...snapshot, instances: [{ ...snapshot.instances[0], port: 'x' }] } })),
    field: /\/payload\/instances\/0\/port/,
  },
  {
    name: 'unknown schema version',
    value: Buffer.from(JSON.stringify({ ...createEnvelope('cluster-snapshot', snapshot, { producer: 'p' }), schemaVersion: 9 })),
    field: /no version 9/,
  },
  {
    name: 'bad timestamp',
    value: Buffer.from(JSON.stringify({ ...createEnvelope('cluster-snapshot', snapshot, { producer: 'p' }), occurredAt: 'yesterday' })),
    field: /\/occurredAt/,
  },
];

for (const c of bad) {
  test(`decode rejects ${c.name} and names the field`, () => {
    assert.throws(() => decodeMessage(topics.clusterSnapshots, c.value), (e: unknown) => e instanceof MessageValidationError && c.field.test(e.message));
  });
}

test('encode refuses an invalid payload before it reaches the broker', () => {
  const env = createEnvelope('probe-request', { clusterId: '', instances: [], reason: 'r', requestedBy: 'x' }, { producer: 'p' });
  assert.throws(() => encodeMessage(topics.probeRequests, env), /\/payload\/clusterId/);
});

test('commands are a union discriminated by kind', () => {
  const env = createEnvelope('command', { kind: 'disable-global-recoveries', requestedBy: 'api' }, { producer: 'api' });
  assert.doesNotThrow(() => decodeMessage(topics.commands, encodeMessage(topics.commands, env).value));
  const badKind = Buffer.from(JSON.stringify({ ...env, payload: { kind: 'explode', requestedBy: 'api' } }));
  assert.throws(() => decodeMessage(topics.commands, badKind), MessageValidationError);
});

test('every topic but the dead letters carries exactly one message type', () => {
  const carrying = Object.values(topics).filter((t) => t !== topics.deadLetters).sort();
  assert.deepEqual(Object.keys(topicMessageType).sort(), carrying);
  for (const def of Object.values(messageTypes)) assert.ok(def.current in def.versions);
});

test('committed JSON Schema files match the TypeBox sources (run npm run schemas:export)', () => {
  for (const [name, schema] of Object.entries(jsonSchemaFiles())) {
    const committed = JSON.parse(readFileSync(new URL(`../schemas/${name}`, import.meta.url), 'utf8'));
    assert.deepEqual(committed, schema, name);
  }
});
