/**
 * Renders config/baton.example.yaml from the schema: every key, its default and its description.
 * The schema is the one source; a unit test fails when the committed file is out of date.
 * Regenerate with: npx tsx libs/config/scripts/write-example-config.ts
 */
import { KindGuard, type TSchema } from '@sinclair/typebox';
import { stringify } from 'yaml';
import { BatonConfigSchema } from './schema/root.ts';

const header = `# Baton configuration: every key with its default value and what it does.
# GENERATED from libs/config/src/schema by \`npx tsx libs/config/scripts/write-example-config.ts\`;
# edit the schema, not this file.
#
# Load a file with BATON_CONFIG_FILE=<path> (or loadConfig({ file })). Any key can be overridden
# from the environment: BATON__<SECTION>__<KEY>=<value>, case and underscores ignored, values
# parsed as JSON when they parse, e.g.
#   BATON__DETECTOR__POLL_INTERVAL_MS=500
#   BATON__RECOVERY__RECOVER_MASTER_CLUSTER_FILTERS='["*"]'
# Unknown keys are errors (with a "did you mean"), every problem is reported at once, and
# orchestrator's legacy synonyms (DetachLostSlavesAfterMasterFailover, ...) are rejected with the
# key to use instead. Durations carry their unit in the key name.
`;

function flow(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE' }).trim();
}

function comment(text: string, indent: string): string[] {
  return text.split('\n').map((line) => `${indent}# ${line}`);
}

function renderKey(key: string, schema: TSchema, indent: string, optional: boolean): string[] {
  const s = schema as { description?: string; default?: unknown; examples?: unknown[] };
  const lines = s.description ? comment(s.description, indent) : [];
  if (KindGuard.IsObject(schema) && s.default !== undefined) {
    lines.push(`${indent}${key}:`);
    for (const [child, childSchema] of Object.entries(schema.properties)) {
      lines.push(...renderKey(child, childSchema, `${indent}  `, !(schema.required ?? []).includes(child)));
    }
    return lines;
  }
  if (s.default === undefined || optional) {
    lines.push(`${indent}# ${key}: ${s.default === undefined ? '(not set)' : flow(s.default)}`);
  } else {
    lines.push(`${indent}${key}: ${flow(s.default)}`);
  }
  for (const example of s.examples ?? []) {
    const block = stringify({ [key]: example }, { lineWidth: 0 }).trimEnd().split('\n');
    lines.push(`${indent}# e.g.`, ...block.map((line) => `${indent}#   ${line}`));
  }
  return lines;
}

export function renderExampleConfig(): string {
  const lines = [header];
  for (const [name, schema] of Object.entries(BatonConfigSchema.properties)) {
    lines.push(...renderKey(name, schema as TSchema, '', false), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
