/**
 * Turns TypeBox's validation errors into `{ key, problem }` issues with dotted paths
 * (`recovery.PreFailoverProcesses[2].webhook.url`), "did you mean" suggestions for unknown keys,
 * and readable messages. TypeBox does the checking; this file only phrases the result.
 */
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import type { ConfigIssue } from '@baton/errors';
import { legacyKeys } from './legacy-keys.ts';
import { closest } from './suggest.ts';

type Json = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** JSON pointer (`/a/0/b`) to a dotted path (`a[0].b`), using the value to tell list indexes from keys. */
export function pointerToPath(pointer: string, root: unknown, base = ''): string {
  let path = base;
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = Array.isArray(node) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment;
    node = isPlainObject(node) || Array.isArray(node) ? (node as Json)[segment] : undefined;
  }
  return path;
}

/** Every `section.key` of the schema, to point a key written in the wrong section to the right one. */
function sectionKeyIndex(schema: TSchema): Map<string, string> {
  const index = new Map<string, string>();
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  for (const [sectionName, sectionSchema] of Object.entries(properties)) {
    for (const key of Object.keys((sectionSchema as { properties?: object }).properties ?? {})) {
      index.set(key.toLowerCase(), `${sectionName}.${key}`);
    }
  }
  return index;
}

function unknownKeyProblem(key: string, parentPath: string, objectSchema: TSchema, index: Map<string, string>): string {
  const legacy = legacyKeys[key];
  if (legacy) return legacy;
  const known = Object.keys((objectSchema as { properties?: object }).properties ?? {});
  const near = closest(key, known);
  if (near) return `unknown key; did you mean ${parentPath ? `${parentPath}.` : ''}${near}?`;
  const elsewhere = index.get(key.toLowerCase());
  if (elsewhere) return `unknown key here; did you mean ${elsewhere}?`;
  return parentPath ? `unknown key (known keys: ${known.join(', ')})` : `unknown section (known sections: ${known.join(', ')})`;
}

function typeName(schema: TSchema): string {
  const kind = (schema as { [Kind]?: string })[Kind];
  switch (kind) {
    case 'Integer':
      return 'a whole number';
    case 'Number':
      return 'a number';
    case 'Boolean':
      return 'true or false';
    case 'String':
      return 'a string';
    case 'Array':
      return 'a list';
    case 'Object':
    case 'Record':
      return 'an object';
    default:
      return kind ?? 'a different value';
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? 'y' : 'ies'}`;
}

function phrase(error: ValueError): string {
  const s = error.schema as { minimum?: number; maximum?: number; minLength?: number; minItems?: number; pattern?: string };
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be at least ${s.minimum} (got ${String(error.value)})`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be at most ${s.maximum} (got ${String(error.value)})`;
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters long`;
    case ValueErrorType.StringPattern:
      return `must match ${s.pattern} (got ${describeValue(error.value)})`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${plural(s.minItems ?? 1, 'entr')}`;
    case ValueErrorType.Integer:
      if (typeof error.value === 'number') return `must be a whole number (got ${error.value})`;
      return `expected ${typeName(error.schema)}, got ${describeValue(error.value)}`;
    case ValueErrorType.Number:
    case ValueErrorType.Boolean:
    case ValueErrorType.String:
    case ValueErrorType.Array:
    case ValueErrorType.Object:
      return `expected ${typeName(error.schema)}, got ${describeValue(error.value)}`;
    default:
      return error.message;
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Json)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** For a failed union, explain the variant the value was evidently meant to be. */
function unionIssues(error: ValueError, index: Map<string, string>, path: string): ConfigIssue[] {
  const variants = ((error.schema as { anyOf?: TSchema[] }).anyOf ?? []) as TSchema[];
  const wanted = isPlainObject(error.value) ? ['Object', 'Record'] : Array.isArray(error.value) ? ['Array'] : [];
  const matches = variants.filter((v) => wanted.includes((v as { [Kind]?: string })[Kind] ?? ''));
  if (matches.length === 1 && matches[0]) return schemaIssues(matches[0], error.value, index, path);
  const expected = (error.schema as { description?: string }).description ?? 'one of the allowed forms';
  return [{ key: path, problem: `expected ${expected}, got ${describeValue(error.value)}` }];
}

/** Every problem TypeBox finds in `value` against `schema`, as dotted-path issues. */
export function schemaIssues(schema: TSchema, value: unknown, index = sectionKeyIndex(schema), base = ''): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const path = pointerToPath(error.path, value, base);
    let found: ConfigIssue[];
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      const cut = error.path.lastIndexOf('/');
      const key = error.path.slice(cut + 1).replace(/~1/g, '/').replace(/~0/g, '~');
      const parentPath = pointerToPath(error.path.slice(0, cut), value, base);
      found = [{ key: path, problem: unknownKeyProblem(key, parentPath, error.schema, index) }];
    } else if (error.type === ValueErrorType.Union) {
      found = unionIssues({ ...error, value: valueAt(value, error.path) }, index, path);
    } else {
      found = [{ key: path, problem: phrase(error) }];
    }
    for (const issue of found) {
      const id = `${issue.key}\u0000${issue.problem}`;
      if (seen.has(id)) continue;
      seen.add(id);
      issues.push(issue);
    }
  }
  return issues;
}
