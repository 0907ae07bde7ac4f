/**
 * Lua scripts from ./scripts/*.lua, run with EVALSHA and loaded on demand. The key count is part
 * of each file name (`acquire-lock-2.lua` takes two keys).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

export interface LuaScript {
  readonly name: string;
  readonly keyCount: number;
  readonly source: string;
  readonly sha: string;
}

function load(file: string): LuaScript {
  const source = readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8');
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`script file name must end with -<key count>.lua: ${file}`);
  return { name: file, keyCount: Number(match[1]), source, sha: createHash('sha1').update(source).digest('hex') };
}

export const scripts = {
  acquireLock: load('acquire-lock-2.lua'),
  renewLock: load('renew-lock-1.lua'),
  releaseLock: load('release-lock-1.lua'),
  takeOverLock: load('take-over-lock-2.lua'),
} as const;

/** A NOSCRIPT reply means the server has not cached the script yet (the reply's error code, not prose). */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

export async function runScript(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (keys.length !== script.keyCount) {
    throw new Error(`${script.name} takes ${script.keyCount} keys, got ${keys.length}`);
  }
  try {
    return await redis.evalsha(script.sha, script.keyCount, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return await redis.eval(script.source, script.keyCount, ...keys, ...args);
  }
}
