/**
 * Orchestrator's hook placeholders (reference 4.3) and the values behind them. A request carries
 * values by orchestrator name (`values.failedHost`); each placeholder reaches a hook as
 *   - a BATON_* environment variable (every placeholder, BATON_ + the name in SCREAMING_SNAKE),
 *   - orchestrator's ORC_* variable where orchestrator has one,
 *   - its value in argv elements and (through the BATON_* variable) in shell commands.
 * A placeholder without a value is the empty string, never its own literal text.
 */
import type { HookRequest } from '@baton/contracts';
import { batonEnvName, placeholderPattern, placeholderTable, shellScriptArgument } from '@baton/config';

// The table, the pattern and the BATON_* naming live in @baton/config (libs/config/src/hooks.ts),
// so config load refuses placeholders in an argv shell's -c script by the same names and syntax.
export { batonEnvName, placeholderPattern, placeholderTable, type PlaceholderSpec } from '@baton/config';

/** One placeholder as a hook sees it. */
export interface ResolvedPlaceholder {
  /** The BATON_* variable holding the value (shell commands reference it). */
  envName: string;
  value: string;
}

export interface HookValues {
  /** Placeholder or alias name → its variable and value. Unknown names are absent. */
  lookup(name: string): ResolvedPlaceholder | undefined;
  /** Every BATON_* and ORC_* variable, plus the request's identity (BATON_HOOK_KIND, …). */
  env: Readonly<Record<string, string>>;
  /** The values sent to webhooks: every placeholder by its canonical name, aliases and extras. */
  byName: Readonly<Record<string, string>>;
  /** Problems with the values themselves (NUL bytes removed). */
  warnings: readonly string[];
}

export interface ResolveOptions {
  /** This host's name, for {orchestratorHost} when the request does not say. */
  hostname: string;
}

const identifier = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Resolves a request's values. Defaults for values the request leaves out: {failureCluster} is
 * the cluster id, {recoveryUID} the request's recovery uid, {orchestratorHost} this host. NUL
 * bytes cannot travel in argv or the environment: they are removed, with a warning. Values under
 * names outside the table are placeholders too (`{myValue}` → BATON_MY_VALUE).
 */
export function resolveHookValues(request: HookRequest, options: ResolveOptions): HookValues {
  const warnings: string[] = [];
  const clean = (name: string, value: string): string => {
    if (!value.includes('\0')) return value;
    warnings.push(`value of {${name}} contained NUL bytes; they were removed`);
    return value.replaceAll('\0', '');
  };
  const defaults: Record<string, string> = {
    failureCluster: request.clusterId,
    recoveryUID: request.recoveryUid,
    orchestratorHost: options.hostname,
  };
  const byAlias = new Map<string, ResolvedPlaceholder>();
  const env: Record<string, string> = {};
  const byName: Record<string, string> = {};
  const given = request.values;
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(given, key);

  for (const spec of placeholderTable) {
    const names = [spec.name, ...(spec.aliases ?? [])];
    const source = names.find(has);
    const raw = source === undefined ? (defaults[spec.name] ?? '') : (given[source] as string);
    const value = clean(spec.name, raw);
    const resolved = { envName: batonEnvName(spec.name), value };
    for (const n of names) {
      byAlias.set(n, resolved);
      byName[n] = value;
    }
    env[resolved.envName] = value;
    if (spec.orcEnv) env[spec.orcEnv] = value;
  }
  for (const [name, raw] of Object.entries(given)) {
    if (byAlias.has(name)) continue;
    const value = clean(name, raw);
    byName[name] = value;
    const envName = batonEnvName(name);
    if (!identifier.test(name) || envName in env) {
      warnings.push(`value {${name}} has no environment variable of its own (name not usable or taken)`);
      continue;
    }
    byAlias.set(name, { envName, value });
    env[envName] = value;
  }
  env['BATON_HOOK_KIND'] = request.hookKind;
  env['BATON_REQUEST_ID'] = clean('requestId', request.requestId);
  env['BATON_CLUSTER_ID'] = clean('clusterId', request.clusterId);
  return { lookup: (name) => byAlias.get(name), env, byName, warnings };
}

export interface ArgvExpansion {
  argv: string[];
  warnings: string[];
}

/**
 * Replaces `{placeholder}` inside argv elements by the value. No shell is involved, so the value
 * stays inside its element whatever it contains: an element is never split or re-parsed. The
 * program (argv[0]) is not expanded: a value never chooses what runs. Nor is the script of a shell
 * run with -c (`["sh", "-c", "… {x}"]`), which would parse the value as code: config load refuses
 * such an entry, and should one arrive here anyway its placeholders stay as written, with a
 * warning. Unknown placeholders stay as written, with a warning.
 */
export function expandArgv(argv: readonly string[], values: Pick<HookValues, 'lookup'>): ArgvExpansion {
  const warnings: string[] = [];
  const script = shellScriptArgument(argv);
  const out = argv.map((element, i) => {
    if (i === 0) {
      if (new RegExp(placeholderPattern.source).test(element)) warnings.push('placeholders in the program name (argv[0]) are not expanded');
      return element;
    }
    if (i === script?.index && new RegExp(placeholderPattern.source).test(element)) {
      warnings.push(`placeholders in the script of ${script.shell} -c (argv[${i}]) are not expanded: use the environment variables`);
      return element;
    }
    return element.replace(placeholderPattern, (text, name: string) => {
      const resolved = values.lookup(name);
      if (resolved) return resolved.value;
      warnings.push(`unknown placeholder ${text} left as written`);
      return text;
    });
  });
  return { argv: out, warnings: dedupe(warnings) };
}

export function dedupe(list: readonly string[]): string[] {
  return [...new Set(list)];
}
