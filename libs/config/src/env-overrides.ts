/**
 * Environment overrides: `BATON__SECTION__KEY=value` sets `section.key`. Segments match keys
 * ignoring case and underscores, so BATON__RECOVERY__RECOVERY_PERIOD_BLOCK_SECONDS and
 * BATON__recovery__RecoveryPeriodBlockSeconds are the same. A numeric segment indexes a list
 * (BATON__DETECTOR__SEEDS__0__HOST). Values are parsed as JSON when they parse (numbers, booleans,
 * lists, objects), except for string keys, which take the text as is. An empty value is ignored
 * (treated as unset). A variable whose path names no key is an error named by the variable.
 */
import { KindGuard, type TSchema } from '@sinclair/typebox';
import type { ConfigIssue } from '@baton/errors';
import { isPlainObject } from './issues.ts';
import { closest } from './suggest.ts';
import { legacyKeys } from './legacy-keys.ts';

export const envPrefix = 'BATON__';

type Json = Record<string, unknown>;
type Segment = string | number;

export interface EnvOverrides {
  issues: ConfigIssue[];
  /** Dotted config path → the variable that set it, so later problems name the variable. */
  origins: Map<string, string>;
}

const normalize = (s: string) => s.replace(/[_-]/g, '').toLowerCase();

export function toEnvSegment(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

export function formatPath(segments: readonly Segment[]): string {
  return segments.reduce<string>(
    (path, s) => (typeof s === 'number' ? `${path}[${s}]` : path ? `${path}.${s}` : s),
    '',
  );
}

interface Resolved {
  segments: Segment[];
  leaf: TSchema;
}

function resolve(name: string, parts: string[], root: TSchema): Resolved | ConfigIssue {
  let schema = root;
  const segments: Segment[] = [];
  const envSoFar = [envPrefix.slice(0, -2)];
  for (const part of parts) {
    if (KindGuard.IsObject(schema)) {
      const properties = schema.properties;
      const key = Object.keys(properties).find((k) => normalize(k) === normalize(part));
      if (key === undefined) {
        const legacy = Object.keys(legacyKeys).find((k) => normalize(k) === normalize(part));
        if (legacy) return { key: name, problem: legacyKeys[legacy] as string };
        const near = closest(normalize(part), Object.keys(properties).map(normalize));
        const nearKey = Object.keys(properties).find((k) => normalize(k) === near);
        const hint = nearKey ? `; did you mean ${[...envSoFar, toEnvSegment(nearKey)].join('__')}?` : '';
        const where = segments.length ? ` in ${formatPath(segments)}` : '';
        return { key: name, problem: `unknown configuration path: no key ${JSON.stringify(part)}${where}${hint}` };
      }
      schema = properties[key] as TSchema;
      segments.push(key);
      envSoFar.push(toEnvSegment(key));
    } else if (KindGuard.IsArray(schema) && /^\d+$/.test(part)) {
      schema = schema.items;
      segments.push(Number(part));
      envSoFar.push(part);
    } else if (KindGuard.IsRecord(schema)) {
      schema = Object.values(schema.patternProperties)[0] as TSchema;
      segments.push(part);
      envSoFar.push(part);
    } else {
      return {
        key: name,
        problem: `unknown configuration path: ${formatPath(segments)} has no sub-keys; set it as a whole with ${envSoFar.join('__')}`,
      };
    }
  }
  return { segments, leaf: schema };
}

function parseValue(raw: string, leaf: TSchema): unknown {
  const stringLeaf = KindGuard.IsString(leaf);
  if (stringLeaf && !/^".*"$/s.test(raw)) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function assign(target: Json, segments: readonly Segment[], value: unknown): string | undefined {
  let node: unknown = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i] as Segment;
    const container = node as Json;
    if (container[segment] === undefined || container[segment] === null) {
      container[segment] = typeof segments[i + 1] === 'number' ? [] : {};
    }
    node = container[segment];
    const wantList = typeof segments[i + 1] === 'number';
    if (wantList ? !Array.isArray(node) : !isPlainObject(node)) {
      return `cannot set ${formatPath(segments)}: ${formatPath(segments.slice(0, i + 1))} is not ${wantList ? 'a list' : 'an object'}`;
    }
  }
  (node as Json)[segments[segments.length - 1] as Segment] = value;
  return undefined;
}

/** Applies every BATON__* variable to `target` (the parsed file, mutated in place). */
export function applyEnvOverrides(
  target: Json,
  env: Readonly<Record<string, string | undefined>>,
  schema: TSchema,
): EnvOverrides {
  const issues: ConfigIssue[] = [];
  const origins = new Map<string, string>();
  const names = Object.keys(env)
    .filter((n) => n.startsWith(envPrefix))
    .sort();
  for (const name of names) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const parts = name.slice(envPrefix.length).split('__');
    if (parts.some((p) => p === '')) {
      issues.push({ key: name, problem: 'malformed variable name: empty path segment' });
      continue;
    }
    const resolved = resolve(name, parts, schema);
    if ('problem' in resolved) {
      issues.push(resolved);
      continue;
    }
    const failure = assign(target, resolved.segments, parseValue(raw, resolved.leaf));
    if (failure) issues.push({ key: name, problem: failure });
    else origins.set(formatPath(resolved.segments), name);
  }
  return { issues, origins };
}

/** Renames an issue after the variable that set its path (or an enclosing path), if any. */
export function attributeToEnv(issue: ConfigIssue, origins: ReadonlyMap<string, string>): ConfigIssue {
  for (const [path, name] of origins) {
    if (issue.key === path || issue.key.startsWith(`${path}.`) || issue.key.startsWith(`${path}[`)) {
      return { key: name, problem: `${issue.key}: ${issue.problem}` };
    }
  }
  return issue;
}
