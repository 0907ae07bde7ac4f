/**
 * The AsyncAPI 2.6 document of the topics a user may consume — baton.recovery-events,
 * baton.analyses, baton.cluster-snapshots and baton.dead-letters — built from the contracts
 * (envelope, message schemas, dead-letter headers) and the topic table, so it cannot say anything
 * the code does not. `npm run schemas:export` writes it to docs/asyncapi.yaml; a unit test parses
 * it with @asyncapi/parser and checks the committed file equals this output.
 */
import type { TSchema } from '@sinclair/typebox';
import { stringify } from 'yaml';
import { topicTable } from '@baton/kafka';
import { DeadLetterHeadersV1, deadLetterHeaders, EnvelopeV1, messageTypes, topics, type MessageType, type TopicName } from '../src/index.ts';

/** A TypeBox schema as plain JSON Schema: TypeBox's symbols and the `$id`s (meaningless inside one document) dropped. */
function plain(schema: unknown): Record<string, unknown> {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== '$id').map(([k, x]) => [k, strip(x)]));
  };
  return strip(JSON.parse(JSON.stringify(schema))) as Record<string, unknown>;
}

const signatureDescription = [
  'HMAC-SHA256 signature of the message, `v1.<key id>.<base64url mac>`, made with the deployment\'s shared secret',
  '(security.signingSecret). The MAC covers the LOGICAL topic name (without the deployment prefix), the key and the',
  'exact value bytes: `"baton/v1\\n" + topic + "\\n" + (key === null ? "-" : byteLength(key) + ":" + key) + "\\n"`, then',
  'the value. The key id is the first 8 hex digits of sha256("baton-signing-key:" + secret), so a consumer that holds',
  'several secrets during a rotation picks the right one. Verify it before parsing anything.',
].join(' ');

const envelopeHeaders = {
  type: 'object',
  required: ['baton-type', 'baton-schema-version', 'baton-message-id', 'baton-signature'],
  properties: {
    'baton-type': { type: 'string', description: 'the envelope\'s `type` (route without parsing the value)' },
    'baton-schema-version': { type: 'string', description: 'the envelope\'s `schemaVersion`, as a decimal string' },
    'baton-message-id': { type: 'string', description: 'the envelope\'s `messageId`' },
    'baton-correlation-id': { type: 'string', description: 'the envelope\'s `correlationId`, when it has one' },
    'baton-signature': { type: 'string', description: signatureDescription },
  },
};

/** The envelope of one message type: EnvelopeV1 with `type` fixed and `payload` that type's schema (every version it has). */
function envelopeOf(type: MessageType): Record<string, unknown> {
  const envelope = plain(EnvelopeV1) as { properties: Record<string, unknown> } & Record<string, unknown>;
  const versions = Object.entries(messageTypes[type].versions as Record<string, TSchema>);
  return {
    ...envelope,
    properties: {
      ...envelope.properties,
      type: { type: 'string', const: type },
      schemaVersion: { type: 'integer', enum: versions.map(([v]) => Number(v)) },
      payload: versions.length === 1 ? plain(versions[0]?.[1]) : { anyOf: versions.map(([, s]) => plain(s)) },
    },
  };
}

const clusterKey = { type: 'string', description: 'the cluster id: one cluster\'s messages stay in one partition, in order' };

interface Consumed {
  topic: TopicName;
  operationId: string;
  summary: string;
  description: string;
  message: Record<string, unknown>;
}

function envelopeMessage(type: MessageType, title: string, description: string): Record<string, unknown> {
  return {
    name: type,
    title,
    summary: description,
    contentType: 'application/json',
    headers: envelopeHeaders,
    payload: envelopeOf(type),
    bindings: { kafka: { key: clusterKey, bindingVersion: '0.4.0' } },
  };
}

const consumed: Consumed[] = [
  {
    topic: topics.recoveryEvents,
    operationId: 'consumeRecoveryEvents',
    summary: 'Every audited step of a detection or recovery; alert on `summary`',
    description: [
      'One event per step of every recovery (sequence from 1, per recovery uid) and events outside a recovery',
      '(recoveryUid "", sequence 0). The payload is a union discriminated by `step`, each step with its details\' shape.',
      'One `summary` event follows the `resolved` step of every recovery that resolves, with everything an alert',
      'needs: an alerting consumer acts on `summary` alone (see examples/alert-consumer).',
    ].join(' '),
    message: envelopeMessage('recovery-event', 'Recovery event', 'A step of a recovery, the summary of a resolved one, or an event outside any recovery'),
  },
  {
    topic: topics.analyses,
    operationId: 'consumeAnalyses',
    summary: 'Orchestrator\'s replication analysis of each cluster, after every snapshot',
    description: 'The analyzer\'s verdict per instance (analysis codes, structure warnings), one message per snapshot.',
    message: envelopeMessage('analysis', 'Cluster analysis', 'The analysis of one cluster snapshot'),
  },
  {
    topic: topics.clusterSnapshots,
    operationId: 'consumeClusterSnapshots',
    summary: 'What the detectors observed of each cluster, about once per poll interval',
    description: 'Every instance of one cluster as its detector probed it. Short retention: only the recent past matters.',
    message: envelopeMessage('cluster-snapshot', 'Cluster snapshot', 'One cluster as the detector saw it'),
  },
  {
    topic: topics.deadLetters,
    operationId: 'consumeDeadLetters',
    summary: 'Whatever a Baton consumer refused, with why and from where',
    description: 'The value is the refused message\'s bytes, untouched (not an envelope, not signed anew); the headers say why and where it came from.',
    message: {
      name: 'dead-letter',
      title: 'Dead letter',
      summary: 'A message some consumer could not accept',
      contentType: 'application/octet-stream',
      headers: { ...plain(DeadLetterHeadersV1), required: Object.values(deadLetterHeaders) },
      payload: { description: 'the original message value, byte for byte (usually an envelope of the original topic; maybe not JSON at all)' },
      bindings: { kafka: { key: { type: 'string', description: 'the original message key' }, bindingVersion: '0.4.0' } },
    },
  },
];

export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const c of consumed) {
    const spec = topicTable[c.topic];
    const messageName = c.message['name'] as string;
    messages[messageName] = c.message;
    channels[`{prefix}${c.topic}`] = {
      description: `${c.description} Retention ${spec.retentionMs < 0 ? 'forever' : `${spec.retentionMs / 3_600_000} h`}, cleanup ${spec.cleanupPolicy}, ${spec.partitions} partitions (by default).`,
      parameters: { prefix: { $ref: '#/components/parameters/prefix' } },
      subscribe: { operationId: c.operationId, summary: c.summary, message: { $ref: `#/components/messages/${messageName}` } },
      bindings: { kafka: { partitions: spec.partitions, bindingVersion: '0.4.0' } },
    };
  }
  return {
    asyncapi: '2.6.0',
    id: 'urn:baton:events',
    info: {
      title: 'Baton events',
      version: '1',
      description: [
        'The Kafka topics a user of Baton may consume. Every message but a dead letter is a JSON envelope',
        '(`type`, `schemaVersion`, `messageId`, `occurredAt`, `producer`, `correlationId`, `payload`), keyed by cluster id and',
        'signed in the `baton-signature` header. The physical topic name is the deployment\'s `kafka.topicPrefix`',
        '(default `deployment.name`) and a dot, then the logical name: `prod.baton.recovery-events`; no prefix gives',
        '`baton.recovery-events`. Generated from libs/contracts by `npm run schemas:export`; do not edit.',
      ].join(' '),
    },
    servers: {
      kafka: { url: '{bootstrap}', protocol: 'kafka', description: 'the deployment\'s brokers (kafka.brokers)', variables: { bootstrap: { default: '127.0.0.1:19092' } } },
    },
    defaultContentType: 'application/json',
    channels,
    components: {
      messages,
      parameters: {
        prefix: {
          description: 'kafka.topicPrefix followed by a dot (`prod.`), or empty when no prefix is configured',
          schema: { type: 'string', pattern: '^([A-Za-z0-9-]+\\.)?$', default: '' },
        },
      },
    },
  };
}

/** The document as committed (docs/asyncapi.yaml). */
export function renderAsyncApi(): string {
  return `# Generated by libs/contracts/scripts/export-asyncapi.ts (npm run schemas:export): do not edit.\n${stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
