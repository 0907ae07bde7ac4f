/**
 * iptables rules for the "unreachable from the monitor" fault on loopback (infra-notes §5):
 *   iptables -I INPUT -p tcp -d 127.0.0.1 --dport <port> -m conntrack --ctstate NEW -j DROP
 * New TCP connections to the port time out; connections that are already established (the
 * replicas' replication streams) keep flowing. Every rule carries a comment naming the owning
 * PID, so rules left by a process that died are found and removed by `sweepStaleRules`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { BatonError } from '@baton/errors';
import { isProcessAlive, onProcessExit } from '../process-cleanup.ts';

const run = promisify(execFile);
const commentPrefix = 'baton-test:pid=';

export class FaultInjectionUnavailableError extends BatonError {
  static override readonly code = 'BATON_TEST_FAULT_UNAVAILABLE';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(FaultInjectionUnavailableError.code, message, { ...options, retryable: false });
  }
}

export interface FirewallRule {
  readonly port: number;
  /** Removes the rule. Safe to call twice. */
  remove(): Promise<void>;
}

let available: Promise<boolean> | undefined;

/** Whether iptables exists and works here (root, netfilter). Checked once per process. */
export function iptablesAvailable(): Promise<boolean> {
  available ??= run('iptables', ['-w', '-S', 'INPUT'], { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
  return available;
}

function ruleSpec(port: number, match: string[], tag: string): string[] {
  return ['INPUT', '-p', 'tcp', '-d', '127.0.0.1', ...match, '-m', 'comment', '--comment', `${commentPrefix}${process.pid}:port=${port}:${tag}`, '-j', 'DROP'];
}

/** Drops new TCP connections to 127.0.0.1:port; established ones keep working. */
export function blockNewConnections(port: number): Promise<FirewallRule> {
  return insertRules(port, [ruleSpec(port, ['--dport', String(port), '-m', 'conntrack', '--ctstate', 'NEW'], 'new')]);
}

/**
 * Cuts 127.0.0.1:port off in both directions: every packet to the port and every packet from it
 * is dropped, new and established connections alike (its clients' and its replicas' sessions
 * stall; nothing is reset). Removing the rules heals it: stalled sessions resume on their next
 * retransmission.
 */
export function isolatePort(port: number): Promise<FirewallRule> {
  return insertRules(port, [ruleSpec(port, ['--dport', String(port)], 'in'), ruleSpec(port, ['--sport', String(port)], 'out')]);
}

async function insertRules(port: number, specs: string[][]): Promise<FirewallRule> {
  if (!(await iptablesAvailable())) {
    throw new FaultInjectionUnavailableError('iptables is not available: install it (apt-get install -y iptables) and run as root');
  }
  for (const spec of specs) await run('iptables', ['-w', '-I', ...spec], { timeout: 10_000 });
  let removed = false;
  const unregister = onProcessExit(() => {
    if (!removed) for (const spec of specs) deleteSync(spec);
  });
  return {
    port,
    async remove() {
      if (removed) return;
      removed = true;
      unregister();
      for (const spec of specs) {
        try {
          await run('iptables', ['-w', '-D', ...spec], { timeout: 10_000 });
        } catch {
          // already gone
        }
      }
    },
  };
}

function deleteSync(spec: string[]): void {
  try {
    execFileSync('iptables', ['-w', '-D', ...spec], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // already gone
  }
}

/** Removes rules whose owner process no longer exists. Returns how many were removed. */
export async function sweepStaleRules(): Promise<number> {
  if (!(await iptablesAvailable())) return 0;
  const { stdout } = await run('iptables', ['-w', '-S', 'INPUT'], { timeout: 10_000 });
  let count = 0;
  for (const line of stdout.split('\n')) {
    const match = line.match(/baton-test:pid=(\d+):/);
    if (!match || !line.startsWith('-A INPUT ')) continue;
    if (isProcessAlive(Number(match[1]))) continue;
    try {
      await run('iptables', ['-w', '-D', ...splitArgs(line.slice(3))], { timeout: 10_000 });
      count += 1;
    } catch {
      // removed by someone else meanwhile
    }
  }
  return count;
}

/** Splits an `iptables -S` line into arguments (double quotes group, backslash escapes). */
function splitArgs(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inQuotes = false;
  let hasToken = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i] as string;
    if (ch === '\\' && i + 1 < line.length) {
      current += line[i + 1];
      i += 1;
      hasToken = true;
    } else if (ch === '"') {
      inQuotes = !inQuotes;
      hasToken = true;
    } else if (ch === ' ' && !inQuotes) {
      if (hasToken) args.push(current);
      current = '';
      hasToken = false;
    } else {
      current += ch;
      hasToken = true;
    }
  }
  if (hasToken) args.push(current);
  return args;
}
