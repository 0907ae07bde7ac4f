/**
 * What the hook-runner takes from the configuration: the hook lists of hookKinds (orchestrator's
 * eight and Baton's fenceProcesses, normalized once, at start), the shell, the limits, and where
 * its topics and keys live. Pure functions of the config.
 */
import { normalizeHooks, type BatonConfig, type NormalizedHook } from '@baton/config';
import { hookKinds, type HookKind } from '@baton/contracts';
import { topicNamesFromConfig, type TopicNames } from '@baton/kafka';
import { webhookWorstCaseMs } from './run-webhook.ts';

export interface HookRunnerSettings {
  lists: Readonly<Record<HookKind, readonly NormalizedHook[]>>;
  shell: string;
  killGraceMs: number;
  maxOutputBytes: number;
  /** TTL of the processed-request key and of the stored result. */
  processedTtlMs: number;
  names: TopicNames;
  keyPrefix: string | undefined;
}

export const defaultGroupId = 'baton-hook-runner';

export function hookRunnerSettings(config: Pick<BatonConfig, 'hooks' | 'recovery' | 'kafka' | 'redis'>): HookRunnerSettings {
  const lists = Object.fromEntries(
    hookKinds.map((kind) => [kind, normalizeHooks(config.recovery[kind], config.hooks, kind)]),
  ) as Record<HookKind, NormalizedHook[]>;
  return {
    lists,
    shell: config.recovery.ProcessesShellCommand,
    killGraceMs: config.hooks.killGracePeriodMs,
    maxOutputBytes: config.hooks.maxOutputBytes,
    processedTtlMs: config.redis.processedMessageTtlMs,
    names: topicNamesFromConfig(config.kafka),
    keyPrefix: config.redis.keyPrefix,
  };
}

/** Time after which output still held open by leftovers is no longer read (run-process.ts). */
const perProcessSlackMs = 1000;

/**
 * Upper bound of one run of `hooks`: every waited-for entry at its deadline (plus the kill grace
 * for processes, the retries and backoffs for webhooks). A repeated request whose first run has
 * no stored result yet waits this long for it before declaring the first run lost.
 */
export function listWorstCaseMs(hooks: readonly NormalizedHook[], killGraceMs: number): number {
  return hooks.reduce((total, hook) => {
    if (hook.async) return total + perProcessSlackMs;
    if (hook.kind === 'webhook') return total + webhookWorstCaseMs(hook);
    return total + hook.timeoutMs + killGraceMs + perProcessSlackMs;
  }, 0);
}
