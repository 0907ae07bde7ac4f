/**
 * One shape for every hook entry, so the hook-runner does not re-interpret the three forms.
 * Defaults (timeout, retries) come from the `hooks` section.
 */
import type { HookEntry } from './schema/hook-entry.ts';
import type { HooksConfig } from './schema/root.ts';

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
