/**
 * Runs one hook list for one request, as orchestrator does: entries in list order, one at a time;
 * with failOnError the first failed (or timed-out) entry stops the list and the remaining entries
 * are reported 'skipped'. Async entries are reported 'started' and never fail the list.
 * `ok` is true when no entry failed or timed out, whatever failOnError says (for lists that do not
 * abort, the executor only records it).
 */
import type { HookRequest, HookResult, HookRun } from '@baton/contracts';
import type { NormalizedHook } from '@baton/config';
import type { Logger } from '@baton/logging';
import { buildHookEnv } from './hook-env.ts';
import { redactText, secretValues } from './redact-secrets.ts';
import { dedupe, expandArgv, resolveHookValues, type HookValues } from './placeholders.ts';
import type { ProcessOutcome, ProcessSupervisor } from './run-process.ts';
import { runWebhook, type WebhookOutcome } from './run-webhook.ts';
import { expandShellCommand } from './shell-expand.ts';

export interface HookListContext {
  supervisor: ProcessSupervisor;
  /** recovery.ProcessesShellCommand: runs string entries as `<shell> -c <script>`. */
  shell: string;
  killGraceMs: number;
  maxOutputBytes: number;
  /** The runner's environment, before secrets are dropped. */
  inheritedEnv: Readonly<Record<string, string | undefined>>;
  hostname: string;
  logger: Logger;
  /** Aborted when the runner stops: webhooks stop retrying. */
  signal?: AbortSignal;
  /** Where async webhooks report; tracked so shutdown can wait for them. */
  background?: (work: Promise<unknown>) => void;
}

function skipped(index: number, hook: NormalizedHook): HookRun {
  return {
    index,
    name: hook.name,
    target: hook.kind === 'webhook' ? 'webhook' : 'process',
    async: hook.async,
    status: 'skipped',
    exitCode: null,
    signal: null,
    durationMs: 0,
    output: '',
    outputTruncated: false,
    attempts: 0,
  };
}

function fromProcess(index: number, hook: NormalizedHook, outcome: ProcessOutcome, warnings: string[]): HookRun {
  const run: HookRun = {
    index,
    name: hook.name,
    target: 'process',
    async: hook.async,
    status: outcome.status,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    durationMs: outcome.durationMs,
    output: outcome.output,
    outputTruncated: outcome.outputTruncated,
    attempts: 1,
  };
  if (!hook.async) {
    run.stdout = outcome.stdout;
    run.stderr = outcome.stderr;
    run.streamsTruncated = outcome.streamsTruncated;
  }
  if (outcome.pid !== undefined) run.pid = outcome.pid;
  if (outcome.error !== undefined) run.error = outcome.error;
  if (warnings.length > 0) run.warnings = warnings;
  return run;
}

function fromWebhook(index: number, hook: NormalizedHook, outcome: WebhookOutcome, warnings: string[], secrets: readonly string[]): HookRun {
  const run: HookRun = {
    index,
    name: hook.name,
    target: 'webhook',
    async: hook.async,
    status: outcome.status,
    exitCode: null,
    signal: null,
    durationMs: outcome.durationMs,
    // the body was redacted as it streamed in (run-webhook.ts), before it was bounded
    output: outcome.output,
    outputTruncated: outcome.outputTruncated,
    attempts: outcome.attempts,
    httpStatus: outcome.httpStatus,
  };
  if (outcome.error !== undefined) run.error = redactText(outcome.error, secrets);
  if (warnings.length > 0) run.warnings = warnings;
  return run;
}

/** The JSON body of a webhook: the event, its values (by orchestrator name) and which hook this is. */
export function webhookBody(request: HookRequest, hookName: string, values: HookValues): Record<string, unknown> {
  return {
    requestId: request.requestId,
    hookKind: request.hookKind,
    hookName,
    clusterId: request.clusterId,
    recoveryUid: request.recoveryUid,
    values: values.byName,
  };
}

async function runOne(index: number, hook: NormalizedHook, request: HookRequest, values: HookValues, ctx: HookListContext, secrets: readonly string[]): Promise<HookRun> {
  const warnings = [...values.warnings];
  if (hook.kind === 'webhook') {
    const spec = {
      name: hook.name,
      url: hook.url,
      headers: hook.headers,
      body: webhookBody(request, hook.name, values),
      timeoutMs: hook.timeoutMs,
      retries: hook.retries,
      maxOutputBytes: ctx.maxOutputBytes,
      secrets,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    if (hook.async) {
      const work = runWebhook(spec, ctx.logger).then(
        (o) => ctx.logger.info({ hook: hook.name, status: o.status, httpStatus: o.httpStatus, attempts: o.attempts }, 'async webhook ended'),
        (error: unknown) => ctx.logger.error({ hook: hook.name, err: error }, 'async webhook failed'),
      );
      ctx.background?.(work);
      return { ...skipped(index, hook), status: 'started', attempts: 1, httpStatus: null, ...(warnings.length ? { warnings } : {}) };
    }
    return fromWebhook(index, hook, await runWebhook(spec, ctx.logger), warnings, secrets);
  }
  let file: string;
  let args: string[];
  if (hook.kind === 'shell') {
    const expanded = expandShellCommand(hook.command, values);
    warnings.push(...expanded.warnings);
    file = ctx.shell;
    args = ['-c', expanded.script];
  } else {
    const expanded = expandArgv(hook.argv, values);
    warnings.push(...expanded.warnings);
    [file = '', ...args] = expanded.argv;
  }
  const outcome = await ctx.supervisor.run({
    name: hook.name,
    file,
    args,
    env: buildHookEnv(ctx.inheritedEnv, { ...values.env, BATON_HOOK_NAME: hook.name }),
    timeoutMs: hook.timeoutMs,
    killGraceMs: ctx.killGraceMs,
    maxOutputBytes: ctx.maxOutputBytes,
    async: hook.async,
    secrets,
  });
  return fromProcess(index, hook, outcome, dedupe(warnings));
}

const failed = (run: HookRun): boolean => run.status === 'failed' || run.status === 'timed-out';

export async function runHookList(request: HookRequest, hooks: readonly NormalizedHook[], ctx: HookListContext): Promise<HookResult> {
  const values = resolveHookValues(request, { hostname: ctx.hostname });
  const secrets = secretValues(ctx.inheritedEnv);
  const runs: HookRun[] = [];
  let stopAt: HookRun | undefined;
  for (const [index, hook] of hooks.entries()) {
    if (stopAt) {
      runs.push(skipped(index, hook));
      continue;
    }
    ctx.logger.info({ hook: hook.name, index, of: hooks.length, target: hook.kind, async: hook.async }, 'hook started');
    const run = await runOne(index, hook, request, values, ctx, secrets);
    runs.push(run);
    const log = failed(run) ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
    log({ hook: hook.name, index, status: run.status, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, attempts: run.attempts }, 'hook ended');
    if (failed(run) && request.failOnError) stopAt = run;
  }
  const failures = runs.filter(failed);
  const first = failures[0];
  let error: string | null = null;
  if (first) {
    const detail = first.error ? `: ${first.error}` : '';
    error = `${first.name} ${first.status}${detail}`;
    if (stopAt) error += `; ${runs.length - 1 - stopAt.index} later hook(s) skipped (failOnError)`;
  }
  return {
    requestId: request.requestId,
    hookKind: request.hookKind,
    clusterId: request.clusterId,
    recoveryUid: request.recoveryUid,
    ok: first === undefined,
    runs,
    error,
  };
}
