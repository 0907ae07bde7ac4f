/**
 * The hook-runner's Prometheus metrics, from each hook list's result: one count per hook run by
 * hook kind (OnFailureDetectionProcesses, PreFailoverProcesses, …), target (process, webhook) and
 * status (succeeded, failed, timed-out, started, skipped), and the duration of every run that was
 * waited for. Every label is a closed set.
 */
import { Counter, durationBucketsSeconds, Histogram, type Registry } from '@baton/metrics';
import type { HookResult } from '@baton/contracts';

export interface HookRunnerMetrics {
  observe(result: HookResult): void;
}

export function createHookRunnerMetrics(registry: Registry): HookRunnerMetrics {
  const registers = [registry];
  const lists = new Counter({ name: 'baton_hook_lists_total', help: 'Hook lists run, by kind and whether every hook succeeded.', labelNames: ['kind', 'ok'], registers });
  const runs = new Counter({ name: 'baton_hook_runs_total', help: 'Hook runs, by hook kind, target and outcome.', labelNames: ['kind', 'target', 'outcome'], registers });
  const duration = new Histogram({
    name: 'baton_hook_duration_seconds',
    help: 'Duration of one hook run that was waited for, by hook kind and target.',
    labelNames: ['kind', 'target'],
    buckets: [...durationBucketsSeconds],
    registers,
  });
  return {
    observe(result) {
      lists.inc({ kind: result.hookKind, ok: String(result.ok) });
      for (const run of result.runs) {
        runs.inc({ kind: result.hookKind, target: run.target, outcome: run.status });
        if (run.status !== 'skipped' && run.status !== 'started') duration.observe({ kind: result.hookKind, target: run.target }, run.durationMs / 1000);
      }
    },
  };
}
