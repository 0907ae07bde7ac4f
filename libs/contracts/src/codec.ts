import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { MessageValidationError } from '@baton/errors';
import { EnvelopeV1, type Envelope, type PayloadByType } from './envelope.ts';
import { messageTypes, topicMessageType, topics, type MessageType, type TopicName } from './registry.ts';

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => isoTimestamp.test(v) && !Number.isNaN(Date.parse(v)));
}

const checks = new Map<TSchema, TypeCheck<TSchema>>();
function compiled(schema: TSchema): TypeCheck<TSchema> {
  let check = checks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check;
}

/** The properties every variant of a union fixes to a literal (its discriminators, e.g. `step`). */
function discriminators(variants: readonly TSchema[]): string[] {
  const [first, ...rest] = variants;
  const literal = (v: TSchema, key: string): boolean => typeof v['properties']?.[key]?.const === 'string';
  return Object.keys(first?.['properties'] ?? {}).filter((key) => literal(first as TSchema, key) && rest.every((v) => literal(v, key)));
}

/**
 * A discriminated union (RecoveryEventV1: one variant per step) is checked against the variant its
 * discriminators select, so the problem names the variant's bad field, not just "union".
 */
function unionProblem(schema: TSchema, value: unknown, at: string): string | undefined {
  const variants = schema['anyOf'] as TSchema[] | undefined;
  if (!variants || typeof value !== 'object' || value === null) return undefined;
  const keys = discriminators(variants);
  if (keys.length === 0) return undefined;
  const given = value as Record<string, unknown>;
  for (const key of keys) {
    const known = variants.map((v) => v['properties'][key].const as string);
    if (!known.includes(given[key] as string)) return `${at}/${key}: ${JSON.stringify(given[key])} is not one of ${known.join(', ')}`;
  }
  const chosen = variants.find((v) => keys.every((key) => v['properties'][key].const === given[key]));
  return chosen ? firstProblem(chosen, value, at) : undefined;
}

/** Names the first offending field (as a JSON pointer below `at`) and what is wrong with it. */
function firstProblem(schema: TSchema, value: unknown, at: string): string | undefined {
  const check = compiled(schema);
  if (check.Check(value)) return undefined;
  const inUnion = unionProblem(schema, value, at);
  if (inUnion) return inUnion;
  const error = check.Errors(value).First();
  if (!error) return `${at || '/'}: invalid`;
  return `${at}${error.path || ''}: ${error.message}`;
}

/** Throws MessageValidationError naming the bad field unless `value` matches `schema`. */
export function assertSchema(schema: TSchema, value: unknown, what: string): void {
  const problem = firstProblem(schema, value, '');
  if (problem) throw new MessageValidationError(`${what} is invalid at ${problem}`, { field: problem.split(':')[0] });
}

/** Validates a payload for a message type (any version we know), returning the problem or undefined. */
export function payloadProblem(type: MessageType, schemaVersion: number, payload: unknown): string | undefined {
  const def = messageTypes[type];
  const schema = (def.versions as Record<number, TSchema>)[schemaVersion];
  if (!schema) return `/schemaVersion: ${type} has no version ${schemaVersion} (known: ${Object.keys(def.versions).join(', ')})`;
  return firstProblem(schema, payload, '/payload');
}


export interface EnvelopeOptions {
  producer: string;
  correlationId?: string;
  messageId?: string;
  /** ISO timestamp; defaults to the clock of the caller (pass one in to stay deterministic). */
  occurredAt?: string;
}

/** Wraps a payload in the current envelope version of its type. */
export function createEnvelope<T extends MessageType>(type: T, payload: PayloadByType[T], options: EnvelopeOptions): Envelope<T> {
  const envelope = {
    type,
    schemaVersion: messageTypes[type].current,
    messageId: options.messageId ?? globalThis.crypto.randomUUID(),
    occurredAt: options.occurredAt ?? new Date().toISOString(),
    producer: options.producer,
    ...(options.correlationId === undefined ? {} : { correlationId: options.correlationId }),
    payload,
  };
  return envelope as unknown as Envelope<T>;
}

export interface EncodedMessage {
  value: Buffer;
  headers: Record<string, string>;
}

function expectedType(topic: TopicName): MessageType {
  if (topic === topics.deadLetters) throw new MessageValidationError('the dead-letter topic carries raw bytes, not envelopes');
  return topicMessageType[topic];
}

/** Validates an envelope for its topic and serialises it; type and version also go in headers for routing. */
export function encodeMessage(topic: TopicName, envelope: Envelope): EncodedMessage {
  validateEnvelope(topic, envelope);
  const headers: Record<string, string> = {
    'baton-type': envelope.type,
    'baton-schema-version': String(envelope.schemaVersion),
    'baton-message-id': envelope.messageId,
  };
  if (envelope.correlationId) headers['baton-correlation-id'] = envelope.correlationId;
  return { value: Buffer.from(JSON.stringify(envelope)), headers };
}

function validateEnvelope(topic: TopicName, candidate: unknown): asserts candidate is Envelope {
  const type = expectedType(topic);
  const envelopeProblem = firstProblem(EnvelopeV1, candidate, '');
  if (envelopeProblem) throw new MessageValidationError(`envelope on ${topic} is invalid at ${envelopeProblem}`, { topic });
  const env = candidate as { type: string; schemaVersion: number; payload: unknown };
  if (env.type !== type) {
    throw new MessageValidationError(`envelope on ${topic} is invalid at /type: expected ${type}, got ${env.type}`, { topic });
  }
  const problem = payloadProblem(type, env.schemaVersion, env.payload);
  if (problem) throw new MessageValidationError(`${type} v${env.schemaVersion} on ${topic} is invalid at ${problem}`, { topic });
}

/** Parses and validates a message read from `topic`; throws MessageValidationError naming the bad field. */
export function decodeMessage(topic: TopicName, value: Buffer | null): Envelope {
  if (value === null || value.length === 0) {
    throw new MessageValidationError(`message on ${topic} has no value (tombstone or empty)`, { topic });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (cause) {
    throw new MessageValidationError(`message on ${topic} is not JSON: ${(cause as Error).message}`, { topic, cause });
  }
  validateEnvelope(topic, parsed);
  return parsed;
}
