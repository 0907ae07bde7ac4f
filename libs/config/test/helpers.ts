import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, type ConfigIssue } from '@baton/errors';

/** Writes `text` to a temporary file removed when the test ends. */
export function tempFile(t: TestContext, name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Runs `fn`, asserts it throws one ConfigError, returns its issues. */
export function issuesOf(fn: () => unknown): readonly ConfigIssue[] {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  return caught.issues;
}

export function issueFor(issues: readonly ConfigIssue[], key: string): ConfigIssue {
  const issue = issues.find((i) => i.key === key);
  assert.ok(issue, `no issue for ${key}; issues: ${JSON.stringify(issues, null, 2)}`);
  return issue;
}
