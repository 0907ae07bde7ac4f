import type { TSchema } from '@sinclair/typebox';
import { EnvelopeV1 } from './envelope.ts';
import { messageTypes } from './registry.ts';
import { DeadLetterHeadersV1 } from './messages/dead-letter.ts';

/** TypeBox schemas are JSON Schema already; this strips TypeBox's symbols by a JSON round trip. */
function plain(schema: TSchema, title: string): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', title, ...JSON.parse(JSON.stringify(schema)) };
}

/** File name → JSON Schema, for every message type and version, the envelope and the dead-letter headers. */
export function jsonSchemaFiles(): Record<string, Record<string, unknown>> {
  const files: Record<string, Record<string, unknown>> = {
    'envelope.v1.schema.json': plain(EnvelopeV1, 'Baton message envelope'),
    'dead-letter-headers.v1.schema.json': plain(DeadLetterHeadersV1, 'Headers of a message on baton.dead-letters'),
  };
  for (const [type, def] of Object.entries(messageTypes)) {
    for (const [version, schema] of Object.entries(def.versions as Record<string, TSchema>)) {
      files[`${type}.v${version}.schema.json`] = plain(schema, `Baton ${type} payload v${version} (topic ${def.topic})`);
    }
  }
  return files;
}
