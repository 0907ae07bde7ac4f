/**
 * One `mariadb-install-db` per process into a template on tmpfs; every instance is a `cp -a` of
 * it (infra-notes §2: 0.4 s once instead of per instance, and parallel install-db runs corrupt
 * each other unless each has its own tmpdir). Removed at process exit.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BatonError } from '@baton/errors';
import { markOwned, onProcessExit, sweepStaleDirs } from '../process-cleanup.ts';

const run = promisify(execFile);

export const mariadbdPath = process.env['BATON_MARIADBD'] ?? '/usr/sbin/mariadbd';
const installDbPath = process.env['BATON_MARIADB_INSTALL_DB'] ?? 'mariadb-install-db';

export class MariaDbLaunchError extends BatonError {
  static override readonly code = 'BATON_TEST_MARIADB_LAUNCH';
  constructor(message: string, options: { cause?: unknown; [key: string]: unknown } = {}) {
    super(MariaDbLaunchError.code, message, { ...options, retryable: false });
  }
}

/** tmpfs when there is one: data dirs there start 2-3× faster than on disk. */
export function scratchRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

let template: Promise<string> | undefined;

/** The template data dir (created on first use). */
export function templateDataDir(): Promise<string> {
  template ??= createTemplate().catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  return template;
}

/** Removes template and topology dirs left by processes that died without cleaning up. */
export function sweepStaleDataDirs(): string[] {
  const root = scratchRoot();
  return [...sweepStaleDirs(root, 'baton-template-'), ...sweepStaleDirs(root, 'baton-topo-')];
}

async function createTemplate(): Promise<string> {
  const root = scratchRoot();
  sweepStaleDataDirs();
  const dir = mkdtempSync(join(root, `baton-template-${process.pid}-`));
  markOwned(dir);
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  try {
    await run(
      installDbPath,
      [
        '--no-defaults',
        '--auth-root-authentication-method=normal',
        '--user=root',
        `--datadir=${dataDir}`,
        `--tmpdir=${tmp}`,
        '--skip-test-db',
        '--skip-name-resolve',
        '--innodb-log-file-size=8M',
        '--innodb-buffer-pool-size=32M',
      ],
      { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
    );
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string };
    throw new MariaDbLaunchError(`mariadb-install-db failed: ${(e.stderr || e.stdout || String(error)).slice(-2000)}`, { cause: error });
  }
  return dataDir;
}

/** Copies the template into `target` (which must not exist yet). */
export async function copyTemplate(target: string): Promise<void> {
  const source = await templateDataDir();
  await run('cp', ['-a', source, target], { timeout: 60_000 });
}
