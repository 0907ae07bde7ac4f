/**
 * One entry of a hook list (OnFailureDetectionProcesses, PreFailoverProcesses, ...):
 *   - a string: a shell command run with ProcessesShellCommand (values reach it as ORC_* env vars;
 *     a trailing " &" runs it without waiting, as orchestrator does);
 *   - an argv array: run without a shell (one that starts a shell itself, `["sh", "-c", script]`,
 *     must not put {placeholders} into the script: refused at load, see cross-field-rules.ts);
 *   - an object with exactly one of run | argv | webhook, plus optional name, timeoutMs, async.
 */
import { Type, type Static } from '@sinclair/typebox';

export const WebhookSchema = Type.Object(
  {
    url: Type.String({ minLength: 1, description: 'http:// or https:// URL that receives the hook payload as JSON.' }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Per-attempt timeout; default hooks.defaultTimeoutMs.' })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'Retries after a failed attempt; default hooks.webhookRetries.' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Extra request headers.' })),
  },
  { additionalProperties: false },
);

export const HookObjectSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, description: 'Name used in logs and audit steps.' })),
    run: Type.Optional(Type.String({ minLength: 1, description: 'Shell command.' })),
    argv: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'Program and arguments, no shell.' })),
    webhook: Type.Optional(WebhookSchema),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Wall-clock limit; default hooks.defaultTimeoutMs.' })),
    async: Type.Optional(Type.Boolean({ description: 'Do not wait for the result (orchestrator: trailing "&").' })),
  },
  { additionalProperties: false },
);

export const HookEntrySchema = Type.Union(
  [Type.String({ minLength: 1 }), Type.Array(Type.String(), { minItems: 1 }), HookObjectSchema],
  { description: 'a shell command string, an argv array, or an object with one of run | argv | webhook' },
);

export const HookListSchema = (description: string, examples?: unknown[]) =>
  Type.Array(HookEntrySchema, { default: [], description, ...(examples ? { examples } : {}) });

export type HookEntry = Static<typeof HookEntrySchema>;
export type HookObject = Static<typeof HookObjectSchema>;
export type WebhookTarget = Static<typeof WebhookSchema>;
