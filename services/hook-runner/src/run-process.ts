/**
 * Runs hook processes under a deadline (fixes W2). Every process starts detached, as the leader of
 * its own process group, so the runner can signal everything it started: at the deadline the
 * whole group gets SIGTERM, then SIGKILL after the grace period, and the run is reported timed-out.
 *
 *  - A waited-for run ends when its leader exits. Group members it left behind (daemons started
 *    with `&`) keep running, but the group is still killed at the run's deadline.
 *  - An async run (`cmd &`, `async: true`) is reported 'started' once spawned; the runner does not
 *    wait for it or read its output (stdio is /dev/null), but still kills its group at its deadline
 *    and when the runner stops.
 *  - stdin is /dev/null: a hook never waits for input (and bash does not mistake the socket pair
 *    Node uses for pipes for a remote shell and read ~/.bashrc).
 *  - A process that leaves its group on purpose (setsid, double fork into a new session) escapes
 *    the deadline; so does anything after the runner itself is SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '@baton/logging';
import { BoundedOutput, type StreamName } from './bounded-output.ts';
import { SecretRedactor } from './redact-secrets.ts';

/** Each stream's own copy, for the executor's audit: bounded tighter than the combined output. */
export const streamOutputBytes = 4096;

export interface ProcessSpec {
  name: string;
  file: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  killGraceMs: number;
  maxOutputBytes: number;
  async: boolean;
  cwd?: string;
  /** Values replaced by `[redacted]` in everything captured (redact-secrets.ts). */
  secrets?: readonly string[];
}

export type ProcessStatus = 'succeeded' | 'failed' | 'timed-out' | 'started';

export interface ProcessOutcome {
  status: ProcessStatus;
  exitCode: number | null;
  signal: string | null;
  output: string;
  outputTruncated: boolean;
  /** stdout alone, bounded to streamOutputBytes (its first 3/4 and last 1/4 around a marker). */
  stdout: string;
  /** stderr alone, bounded the same way. */
  stderr: string;
  /** stdout or stderr was cut to streamOutputBytes. */
  streamsTruncated: boolean;
  durationMs: number;
  pid?: number;
  error?: string;
}

/** After the leader exits, how long output still held open by leftover children is read. */
const drainMs = 250;

interface TrackedGroup {
  pid: number;
  deadline: NodeJS.Timeout | undefined;
  leaderDone: boolean;
  /** Set once the deadline (or shutdown) started killing the group. */
  killing: Promise<void> | undefined;
}

/** Sends `signal` to process group `pgid`; false when the group no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class ProcessSupervisor {
  private readonly groups = new Map<number, TrackedGroup>();
  private closed = false;

  constructor(private readonly logger: Logger) {}

  /** Process groups started and not yet known to be gone (async hooks, leftovers, running hooks). */
  get activeGroups(): number {
    return this.groups.size;
  }

  run(spec: ProcessSpec): Promise<ProcessOutcome> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    if (this.closed) return Promise.resolve(failure('hook-runner is stopping', elapsed()));
    let child: ChildProcess;
    try {
      child = spawn(spec.file, [...spec.args], {
        detached: true,
        env: spec.env,
        cwd: spec.cwd,
        stdio: spec.async ? 'ignore' : ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      return Promise.resolve(failure(`could not start: ${(error as Error).message}`, elapsed()));
    }
    return new Promise<ProcessOutcome>((resolve) => {
      const output = new BoundedOutput(spec.maxOutputBytes);
      const own = { stdout: new BoundedOutput(Math.min(streamOutputBytes, spec.maxOutputBytes)), stderr: new BoundedOutput(Math.min(streamOutputBytes, spec.maxOutputBytes)) };
      const redactors = { stdout: new SecretRedactor(spec.secrets ?? []), stderr: new SecretRedactor(spec.secrets ?? []) };
      const keep = (stream: StreamName, data: Buffer): void => {
        if (data.length === 0) return;
        output.push(stream, data);
        own[stream].push(stream, data);
      };
      child.stdout?.on('data', (chunk: Buffer) => keep('stdout', redactors.stdout.push(chunk)));
      child.stderr?.on('data', (chunk: Buffer) => keep('stderr', redactors.stderr.push(chunk)));
      child.once('error', (error) => {
        // spawn failed (ENOENT, EACCES): there is no process and no group
        if (child.pid === undefined) resolve(failure(`could not start: ${error.message}`, elapsed()));
      });
      const pid = child.pid;
      if (pid === undefined) return; // the 'error' event follows

      const group: TrackedGroup = { pid, deadline: undefined, leaderDone: false, killing: undefined };
      this.groups.set(pid, group);
      let timedOut = false;
      group.deadline = setTimeout(() => {
        timedOut = !group.leaderDone;
        this.logger.warn({ hook: spec.name, pid, timeoutMs: spec.timeoutMs, leaderRunning: timedOut }, 'hook deadline passed, killing its process group');
        void this.killGroup(group, spec.killGraceMs);
      }, spec.timeoutMs);

      const stdioClosed = Promise.all(
        [child.stdout, child.stderr].map((s) => new Promise<void>((r) => (s ? s.once('close', () => r()) : r()))),
      );
      child.once('exit', (code, signal) => {
        group.leaderDone = true;
        // members left behind keep the group alive; it is still killed at the deadline
        if (!signalGroup(pid, 0)) this.forget(group);
        void (async () => {
          await Promise.race([stdioClosed, pause(drainMs)]);
          child.stdout?.destroy();
          child.stderr?.destroy();
          if (group.killing) await group.killing;
          keep('stdout', redactors.stdout.end());
          keep('stderr', redactors.stderr.end());
          const captured = output.result();
          const stdout = own.stdout.result();
          const stderr = own.stderr.result();
          const outcome: ProcessOutcome = {
            status: timedOut ? 'timed-out' : code === 0 ? 'succeeded' : 'failed',
            exitCode: code,
            signal,
            output: captured.output,
            outputTruncated: captured.truncated,
            stdout: stdout.output,
            stderr: stderr.output,
            streamsTruncated: stdout.truncated || stderr.truncated,
            durationMs: elapsed(),
            pid,
          };
          if (timedOut) outcome.error = `deadline of ${spec.timeoutMs} ms passed; process group killed`;
          else if (signal) outcome.error = `killed by ${signal}`;
          else if (code !== 0) outcome.error = `exit code ${code}`;
          if (spec.async) {
            this.logger.info({ hook: spec.name, pid, status: outcome.status, exitCode: code, signal, durationMs: outcome.durationMs }, 'async hook ended');
          } else resolve(outcome);
        })();
      });

      if (spec.async) {
        child.unref();
        resolve({ status: 'started', exitCode: null, signal: null, output: '', outputTruncated: false, stdout: '', stderr: '', streamsTruncated: false, durationMs: elapsed(), pid });
      }
    });
  }

  private forget(group: TrackedGroup): void {
    if (group.deadline) clearTimeout(group.deadline);
    this.groups.delete(group.pid);
  }

  /**
   * SIGTERM to the group; SIGKILL once `graceMs` passed with members left. Idempotent per group.
   * (The process group id is the leader's pid, which the kernel does not hand out again while
   * any member of the group lives.)
   */
  private killGroup(group: TrackedGroup, graceMs: number): Promise<void> {
    group.killing ??= (async () => {
      if (group.deadline) clearTimeout(group.deadline);
      if (signalGroup(group.pid, 'SIGTERM')) {
        const until = performance.now() + graceMs;
        while (performance.now() < until && signalGroup(group.pid, 0)) await pause(Math.min(50, graceMs));
        signalGroup(group.pid, 'SIGKILL');
      }
      this.forget(group);
    })();
    return group.killing;
  }

  /** Stops starting processes and kills every group still tracked (async hooks, leftovers). */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    const groups = [...this.groups.values()];
    if (groups.length > 0) this.logger.info({ groups: groups.length }, 'killing hook process groups at shutdown');
    await Promise.all(groups.map((g) => this.killGroup(g, graceMs)));
  }
}

function failure(error: string, durationMs: number): ProcessOutcome {
  return { status: 'failed', exitCode: null, signal: null, output: '', outputTruncated: false, stdout: '', stderr: '', streamsTruncated: false, durationMs, error };
}
