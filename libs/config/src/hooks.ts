/**
 * One shape for every hook entry, so the hook-runner does not re-interpret the three forms.
 * Defaults (timeout, retries) come from the `hooks` section.
 *
 * Also what a hook entry may reference — orchestrator's placeholders and the environment variables
 * behind them — and where an argv entry hands a script to a shell, so that config load can refuse
 * placeholders in such a script (cross-field-rules.ts) and the hook-runner expands the same names.
 */
import type { HookEntry } from './schema/hook-entry.ts';
import type { HooksConfig } from './schema/root.ts';

export interface PlaceholderSpec {
  /** Orchestrator's placeholder name, the key of HookRequest.values. */
  name: string;
  /** Synonyms orchestrator also accepts ({countSlaves} for {countReplicas}, …). */
  aliases?: readonly string[];
  /** Orchestrator's environment variable, when it has one. */
  orcEnv?: string;
}

/** Orchestrator's hook placeholders (reference 4.3) and Baton's own; the hook-runner resolves them. */
export const placeholderTable: readonly PlaceholderSpec[] = [
  { name: 'failureType', orcEnv: 'ORC_FAILURE_TYPE' },
  { name: 'instanceType', orcEnv: 'ORC_INSTANCE_TYPE' },
  { name: 'isMaster', orcEnv: 'ORC_IS_MASTER' },
  { name: 'isCoMaster', orcEnv: 'ORC_IS_CO_MASTER' },
  { name: 'failureDescription', orcEnv: 'ORC_FAILURE_DESCRIPTION' },
  { name: 'command', orcEnv: 'ORC_COMMAND' },
  { name: 'failedHost', orcEnv: 'ORC_FAILED_HOST' },
  { name: 'failedPort', orcEnv: 'ORC_FAILED_PORT' },
  { name: 'failureCluster', orcEnv: 'ORC_FAILURE_CLUSTER' },
  { name: 'failureClusterAlias', orcEnv: 'ORC_FAILURE_CLUSTER_ALIAS' },
  { name: 'failureClusterDomain', orcEnv: 'ORC_FAILURE_CLUSTER_DOMAIN' },
  { name: 'countReplicas', aliases: ['countSlaves'], orcEnv: 'ORC_COUNT_REPLICAS' },
  { name: 'isDowntimed', orcEnv: 'ORC_IS_DOWNTIMED' },
  { name: 'autoMasterRecovery', orcEnv: 'ORC_AUTO_MASTER_RECOVERY' },
  { name: 'autoIntermediateMasterRecovery', orcEnv: 'ORC_AUTO_INTERMEDIATE_MASTER_RECOVERY' },
  { name: 'orchestratorHost', orcEnv: 'ORC_ORCHESTRATOR_HOST' },
  { name: 'recoveryUID', aliases: ['recoveryUid'], orcEnv: 'ORC_RECOVERY_UID' },
  { name: 'isSuccessful', orcEnv: 'ORC_IS_SUCCESSFUL' },
  { name: 'successorHost', orcEnv: 'ORC_SUCCESSOR_HOST' },
  { name: 'successorPort', orcEnv: 'ORC_SUCCESSOR_PORT' },
  { name: 'successorAlias', orcEnv: 'ORC_SUCCESSOR_ALIAS' },
  { name: 'successorBinlogCoordinates', orcEnv: 'ORC_SUCCESSOR_BINLOG_COORDINATES' },
  { name: 'lostReplicas', aliases: ['lostSlaves'], orcEnv: 'ORC_LOST_REPLICAS' },
  { name: 'countLostReplicas' },
  { name: 'replicaHosts', aliases: ['slaveHosts'], orcEnv: 'ORC_REPLICA_HOSTS' },
  // Baton's own (no ORC_* equivalent): the SQL fence of the old primary, once it ran (fenceProcesses, post hooks)
  { name: 'fencedBySql' },
  { name: 'sqlFenceResult' },
];

/** A placeholder in hook text: `{name}`, not preceded by `$` (so `${HOME}` is the shell's). */
export const placeholderPattern = /(?<!\$)\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** `failedHost` → `BATON_FAILED_HOST`, `recoveryUID` → `BATON_RECOVERY_UID`. */
export function batonEnvName(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
  return `BATON_${snake}`;
}

/**
 * The environment variable a hook reads a placeholder's value from: orchestrator's ORC_* name
 * where there is one, else Baton's BATON_* name (a name outside the table: BATON_ + its name).
 */
export function placeholderEnvName(name: string): string {
  const spec = placeholderTable.find((p) => p.name === name || (p.aliases ?? []).includes(name));
  if (!spec) return batonEnvName(name);
  return spec.orcEnv ?? batonEnvName(spec.name);
}

/** The `{placeholder}` names in `text`, each once, in order. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(placeholderPattern)].map((m) => m[1] as string))];
}

/** Programs that run their -c argument as shell source. */
const shellPrograms = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'yash', 'ash', 'fish', 'csh', 'tcsh']);
/** Long options that take the next element as their value (bash). */
const longOptionsWithValue = new Set(['--rcfile', '--init-file']);

export interface ShellScriptArgument {
  /** The shell's name as written (basename of its element). */
  shell: string;
  /** Index in argv of the element holding the script. */
  index: number;
  script: string;
}

/**
 * The script an argv entry hands to a shell, if it does: the first element whose basename is a
 * shell (so also behind `env`, `/usr/bin/env`, `busybox`, `sudo`, `timeout`, …) run with a -c
 * option (alone or in a group: `-c`, `-ec`, `-xc`, `-lc`, `-o pipefail -c`). The script is the first
 * element after the options, as sh, bash, dash, zsh and ksh read it; for fish also the value of
 * --command / --init-command (and -C). Elements after the script are positional parameters
 * ($0, $1, …): data the shell does not parse. Undefined when no shell runs a -c script.
 */
export function shellScriptArgument(argv: readonly string[], from = 0): ShellScriptArgument | undefined {
  const offset = argv.slice(from).findIndex((element) => shellPrograms.has(element.slice(element.lastIndexOf('/') + 1)));
  if (offset === -1) return undefined;
  const at = from + offset;
  const program = argv[at] as string;
  const shell = program.slice(program.lastIndexOf('/') + 1);
  const fish = shell === 'fish';
  let hasCommandOption = false;
  let i = at + 1;
  for (; i < argv.length; i += 1) {
    const element = argv[i] as string;
    if (element === '--' || element === '-') {
      i += 1;
      break;
    }
    if (fish) {
      const inline = /^--(?:command|init-command)=([\s\S]*)$/.exec(element);
      if (inline) return { shell, index: i, script: inline[1] as string };
      if (element === '--command' || element === '--init-command') {
        return i + 1 < argv.length ? { shell, index: i + 1, script: argv[i + 1] as string } : undefined;
      }
    }
    if (element.startsWith('--')) {
      if (longOptionsWithValue.has(element)) i += 1;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(element)) {
      if (element[0] === '-' && (element.includes('c') || (fish && element.includes('C')))) hasCommandOption = true;
      // -o NAME / +o NAME / -O NAME: each o or O in the group takes the next element
      i += (element.match(/[oO]/g) ?? []).length;
      continue;
    }
    break;
  }
  if (!hasCommandOption || i >= argv.length) return undefined;
  return { shell, index: i, script: argv[i] as string };
}

const base = (element: string): string => element.slice(element.lastIndexOf('/') + 1);

/**
 * Every element of an argv entry that some program will parse as shell source: the -c script of
 * each shell in it (not only the first: `sudo -u sh bash -c …`), the command of `su`/`runuser -c`,
 * the command line of `env -S`, and everything after the host of `ssh` (the remote shell parses
 * it). A {placeholder} in any of them would be pasted into code.
 */
export function scriptArguments(argv: readonly string[]): ShellScriptArgument[] {
  const found: ShellScriptArgument[] = [];
  argv.forEach((element, i) => {
    const program = base(element);
    if (shellPrograms.has(program)) {
      const script = shellScriptArgument(argv, i);
      if (script && !found.some((f) => f.index === script.index)) found.push(script);
    }
    const next = argv[i + 1];
    if ((program === 'su' || program === 'runuser') && next !== undefined) {
      const c = argv.findIndex((e, j) => j > i && (e === '-c' || e === '--command'));
      if (c !== -1 && c + 1 < argv.length) found.push({ shell: program, index: c + 1, script: argv[c + 1] as string });
    }
    if (program === 'env') {
      const split = argv.findIndex((e, j) => j > i && (e === '-S' || e === '--split-string' || /^(-S|--split-string=)./.test(e)));
      if (split !== -1) {
        const inline = /^(?:-S|--split-string=)([\s\S]+)$/.exec(argv[split] as string);
        if (inline) found.push({ shell: 'env -S', index: split, script: inline[1] as string });
        else if (split + 1 < argv.length) found.push({ shell: 'env -S', index: split + 1, script: argv[split + 1] as string });
      }
    }
    if (program === 'ssh') {
      // options with a value: -b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w
      let j = i + 1;
      while (j < argv.length && (argv[j] as string).startsWith('-')) j += /^-[bcDEeFIiJLlmOopQRSWw]$/.test(argv[j] as string) ? 2 : 1;
      for (let k = j + 1; k < argv.length; k += 1) found.push({ shell: 'ssh', index: k, script: argv[k] as string });
    }
  });
  return found.sort((a, b) => a.index - b.index);
}

/**
 * Where a shell string hook starts a nested interpreter (`sh -c "…"`, `bash -lc`, `eval`, `ssh`,
 * `su -c`, `xargs`, `env -S`): the outer shell expands Baton's quoted value there, and the inner
 * one parses the result as code. Undefined when there is none.
 */
export function nestedInterpreterAt(command: string): number | undefined {
  const shells = [...shellPrograms].join('|');
  const pattern = new RegExp(
    `(?:^|[\\s;&|(\`'"])(?:(?:\\S*/)?(?:${shells})\\s+(?:-\\w*c\\w*|--command)|eval|ssh|xargs|(?:su|runuser)\\s[^;&|]*-c|env\\s+(?:-S|--split-string))(?=$|[\\s;&|)'"])`,
  );
  const match = pattern.exec(command);
  return match ? match.index : undefined;
}

export type NormalizedHook =
  | { kind: 'shell'; name: string; command: string; timeoutMs: number; async: boolean }
  | { kind: 'argv'; name: string; argv: readonly string[]; timeoutMs: number; async: boolean }
  | {
      kind: 'webhook';
      name: string;
      url: string;
      headers: Readonly<Record<string, string>>;
      retries: number;
      timeoutMs: number;
      async: boolean;
    };

/** `list` is a hook list such as config.recovery.PreFailoverProcesses; `listName` names its entries. */
export function normalizeHooks(list: readonly HookEntry[] | readonly unknown[], hooks: HooksConfig, listName: string): NormalizedHook[] {
  return (list as readonly HookEntry[]).map((entry, i) => {
    const fallbackName = `${listName}[${i}]`;
    if (typeof entry === 'string') {
      const async = /\s&\s*$/.test(entry);
      const command = async ? entry.replace(/\s&\s*$/, '') : entry;
      return { kind: 'shell', name: fallbackName, command, timeoutMs: hooks.defaultTimeoutMs, async };
    }
    if (Array.isArray(entry)) {
      return { kind: 'argv', name: fallbackName, argv: [...entry], timeoutMs: hooks.defaultTimeoutMs, async: false };
    }
    const object = entry as Exclude<HookEntry, string | string[]>;
    const name = object.name ?? fallbackName;
    const timeoutMs = object.timeoutMs ?? object.webhook?.timeoutMs ?? hooks.defaultTimeoutMs;
    const async = object.async ?? false;
    if (object.webhook) {
      return {
        kind: 'webhook',
        name,
        url: object.webhook.url,
        headers: { ...(object.webhook.headers ?? {}) },
        retries: object.webhook.retries ?? hooks.webhookRetries,
        timeoutMs,
        async,
      };
    }
    if (object.argv) return { kind: 'argv', name, argv: [...object.argv], timeoutMs, async };
    return { kind: 'shell', name, command: object.run ?? '', timeoutMs, async };
  });
}
