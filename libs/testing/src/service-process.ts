/**
 * A Baton service as its own OS process, as in production: `node --import tsx
 * services/<name>/src/main.ts` from the repository root, its stdout and stderr appended to a log
 * file. Used by the sandbox (scripts/sandbox.ts) and by the chaos tests, which kill, freeze and
 * restart these processes.
 *
 * Not through the `tsx` binary: that one runs the service in a child process of its own, so its
 * PID would be the wrapper's, and SIGKILL or SIGSTOP would reach the wrapper instead of the
 * service. Here the PID is the service's own (setpriv execs), and every signal hits the service.
 *
 * The child dies with the test process: it runs under `setpriv --pdeathsig SIGKILL` (the kernel
 * kills it even when this process is SIGKILLed), and a process-exit hook sends it SIGTERM by PID
 * when this process ends without calling stop(). The log is opened by the child itself (a file
 * descriptor in its stdio, not a pipe through this process), so a stalled or dead parent never
 * blocks or loses the service's output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dieWithParent, onProcessExit } from './process-cleanup.ts';

export interface ServiceProcessOptions {
  /** The repository root (holds node_modules/ and services/). */
  root: string;
  /** The service: runs services/<name>/src/main.ts. */
  name: string;
  /** Over this process's environment; an `undefined` value removes an inherited variable. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Appended to (created with its directory when missing). */
  logFile: string;
  /** Sets BATON_CONFIG_FILE. */
  configFile?: string;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 15 s. */
  stopDeadlineMs?: number;
}

export interface ServiceExit {
  /** The exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<ServiceExit>;
  /** True until the process has exited. */
  readonly running: boolean;
  /**
   * SIGTERM (the services' graceful shutdown; SIGCONT too, in case it is frozen), then SIGKILL
   * past the deadline; resolves once it exited. Safe to call twice and after it died.
   */
  stop(): Promise<ServiceExit>;
  /** Sends `signal` to the process (SIGKILL, SIGSTOP, SIGCONT, SIGTERM, …) by its PID; nothing once it exited. */
  kill(signal: NodeJS.Signals): void;
}

export function startServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const { root, name, logFile } = options;
  const env: Record<string, string> = {};
  const overlay: Record<string, string | undefined> = { ...options.env, ...(options.configFile === undefined ? {} : { BATON_CONFIG_FILE: options.configFile }) };
  for (const [key, value] of Object.entries({ ...process.env, ...overlay })) {
    if (value !== undefined) env[key] = value;
  }
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'a');
  const [cmd, args] = dieWithParent(process.execPath, ['--import', 'tsx', join(root, 'services', name, 'src', 'main.ts')]);
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log); // the child has its own copy
  }
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', () => undefined);
    throw new Error(`could not start ${name}: ${cmd} did not spawn`);
  }

  let running = true;
  const exited = new Promise<ServiceExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      unregister();
      resolve({ code, signal });
    });
  });
  const signal = (s: NodeJS.Signals): void => {
    if (!running) return;
    try {
      process.kill(pid, s);
    } catch {
      // exited meanwhile
    }
  };
  // Once only: runService handles the first SIGTERM; a second one would kill it mid-shutdown.
  let terminated = false;
  const terminate = (): void => {
    if (!terminated) signal('SIGTERM');
    terminated = true;
    signal('SIGCONT'); // a frozen process handles SIGTERM only once it runs again
  };
  // Last resort, when this process ends (or takes SIGINT/SIGTERM/SIGHUP) without stop(): SIGTERM,
  // not SIGKILL, since a caller such as the sandbox may still be running its own graceful stop on
  // that signal; if this process does end, the kernel SIGKILLs the child (pdeathsig) anyway.
  const unregister = onProcessExit(terminate);
  let stopping: Promise<ServiceExit> | undefined;
  return {
    name,
    pid,
    logFile,
    exited,
    get running() {
      return running;
    },
    stop() {
      stopping ??= (async () => {
        terminate();
        const deadline = setTimeout(() => signal('SIGKILL'), options.stopDeadlineMs ?? 15_000);
        try {
          return await exited;
        } finally {
          clearTimeout(deadline);
        }
      })();
      return stopping;
    },
    kill(s) {
      if (s === 'SIGTERM') terminated = true; // a stop() after it only waits
      signal(s);
    },
  };
}
