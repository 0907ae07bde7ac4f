/**
 * The sandbox's Baton services: each one its own process (`tsx services/<name>/src/main.ts`), as
 * in production, with the sandbox configuration, its log in .sandbox/logs/<name>.log, and a stop
 * that sends SIGTERM (the services' graceful path) and waits, then SIGKILL past a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const sandboxServices = ['hook-runner', 'analyzer', 'recovery-executor', 'detector', 'api'] as const;

export interface ServiceProcess {
  name: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export function startService(root: string, name: string, configFile: string, logDir: string): ServiceProcess {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  const child: ChildProcess = spawn(tsx, [join(root, 'services', name, 'src', 'main.ts')], {
    cwd: root,
    env: { ...process.env, BATON_CONFIG_FILE: configFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    pid: child.pid ?? -1,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const deadline = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(deadline);
      log.end();
    },
  };
}
