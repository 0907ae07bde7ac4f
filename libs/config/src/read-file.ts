/** Reads one YAML or JSON configuration file. JSON by extension; anything else is parsed as YAML. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ConfigIssue } from '@baton/errors';

export type FileResult = { ok: true; value: unknown } | { ok: false; issue: ConfigIssue };

export function readConfigFile(file: string): FileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, issue: { key: file, problem: `cannot read the configuration file: ${(error as Error).message}` } };
  }
  try {
    const value: unknown = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
    return { ok: true, value };
  } catch (error) {
    const first = (error as Error).message.split('\n')[0] ?? 'parse error';
    return { ok: false, issue: { key: file, problem: `not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${first}` } };
  }
}
