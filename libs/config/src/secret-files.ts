/**
 * Secrets may come from files (a mounted Kubernetes secret, a Docker secret, a file only the
 * service account can read) instead of the config file or the environment. Each `<name>File` key
 * is read once at start and fills `<name>`; setting both is an error, as is a file that cannot be
 * read. A trailing newline is dropped (editors and `echo` add one).
 */
import { readFileSync } from 'node:fs';
import type { ConfigIssue } from '@baton/errors';
import { isPlainObject } from './issues.ts';

type Json = Record<string, unknown>;

/** [section path, key filled, key holding the file path]. */
export const secretFileKeys: ReadonlyArray<readonly [string, string, string]> = [
  ['security', 'signingSecret', 'signingSecretFile'],
  ['kafka.sasl', 'password', 'passwordFile'],
  ['redis', 'password', 'passwordFile'],
  ['backend', 'password', 'passwordFile'],
  ['mysql', 'password', 'passwordFile'],
  ['mysql', 'replicationPassword', 'replicationPasswordFile'],
  ['api', 'token', 'tokenFile'],
];

function at(root: Json, path: string): Json | undefined {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return isPlainObject(node) ? node : undefined;
}

/**
 * Reads every configured secret file into `value` (the defaulted config). `raw` is what the
 * operator wrote, to tell a value they set from a default.
 */
export function resolveSecretFiles(value: Json, raw: Json, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): { issues: ConfigIssue[]; read: number } {
  const issues: ConfigIssue[] = [];
  let count = 0;
  for (const [path, key, fileKey] of secretFileKeys) {
    const section = at(value, path);
    const file = section?.[fileKey];
    if (!section || typeof file !== 'string') continue;
    if (at(raw, path)?.[key] !== undefined) {
      issues.push({ key: `${path}.${fileKey}`, problem: `set either ${path}.${key} or ${path}.${fileKey}, not both` });
      continue;
    }
    try {
      section[key] = read(file).replace(/\r?\n$/, '');
      count += 1;
    } catch (error) {
      issues.push({ key: `${path}.${fileKey}`, problem: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
    }
  }
  return { issues, read: count };
}

