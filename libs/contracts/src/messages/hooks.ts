import { Type, type Static } from '@sinclair/typebox';
import { ClusterId } from '../common.ts';

/**
 * The hook lists, by their key names under `recovery` in the configuration: orchestrator's eight
 * (PascalCase, orchestrator's meaning), then Baton's own `fenceProcesses` (camelCase, as every
 * Baton key: orchestrator has no fence hook), run right after the SQL fence of the old primary.
 */
export const hookKinds = [
  'OnFailureDetectionProcesses',
  'PreFailoverProcesses',
  'PostMasterFailoverProcesses',
  'PostIntermediateMasterFailoverProcesses',
  'PostFailoverProcesses',
  'PostUnsuccessfulFailoverProcesses',
  'PreGracefulTakeoverProcesses',
  'PostGracefulTakeoverProcesses',
  'fenceProcesses',
] as const;
export const HookKind = Type.Union(hookKinds.map((k) => Type.Literal(k)));
export type HookKind = Static<typeof HookKind>;

/**
 * Orchestrator's failOnError per hook list (reference 4.1): for these a failed entry stops the
 * remaining entries and aborts what the hooks guard. The executor sets HookRequest.failOnError
 * from this table; the hook-runner follows the request.
 */
export const hookKindFailsOnError: Readonly<Record<HookKind, boolean>> = {
  OnFailureDetectionProcesses: true,
  PreFailoverProcesses: true,
  PostMasterFailoverProcesses: false,
  PostIntermediateMasterFailoverProcesses: false,
  PostFailoverProcesses: false,
  PostUnsuccessfulFailoverProcesses: false,
  PreGracefulTakeoverProcesses: true,
  PostGracefulTakeoverProcesses: false,
  // fencing is best effort: a failed fence hook is recorded, every entry still runs, the promotion goes on
  fenceProcesses: false,
};

export const HookRequestV1 = Type.Object(
  {
    requestId: Type.String({ minLength: 1, description: 'idempotency key: a redelivered request runs nothing twice' }),
    hookKind: HookKind,
    clusterId: ClusterId,
    recoveryUid: Type.String(),
    failOnError: Type.Boolean(),
    values: Type.Record(Type.String(), Type.String(), {
      description: 'placeholder values by orchestrator name (failureType, failedHost, …); never spliced raw into a shell',
    }),
  },
  { additionalProperties: false, $id: 'HookRequestV1' },
);
export type HookRequest = Static<typeof HookRequestV1>;

export const HookRun = Type.Object(
  {
    index: Type.Integer({ minimum: 0 }),
    name: Type.String(),
    target: Type.Union([Type.Literal('process'), Type.Literal('webhook')]),
    async: Type.Boolean({ description: 'entry ended with & : started, not waited for' }),
    status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('timed-out'), Type.Literal('started'), Type.Literal('skipped')]),
    exitCode: Type.Union([Type.Integer(), Type.Null()]),
    signal: Type.Union([Type.String(), Type.Null()]),
    durationMs: Type.Integer({ minimum: 0 }),
    output: Type.String({ description: 'combined stdout/stderr, bounded (hooks.maxOutputBytes per stream), secret values redacted' }),
    outputTruncated: Type.Boolean(),
    stdout: Type.Optional(
      Type.String({ description: "processes: stdout alone, at most 4 KiB (its first 3 KiB and last 1 KiB around a marker), secret values redacted; what the executor audits" }),
    ),
    stderr: Type.Optional(Type.String({ description: 'processes: stderr alone, bounded and redacted as stdout' })),
    streamsTruncated: Type.Optional(Type.Boolean({ description: 'stdout or stderr was cut to its 4 KiB' })),
    attempts: Type.Integer({ minimum: 0 }),
    error: Type.Optional(Type.String({ description: 'why the run failed or timed out (spawn error, deadline, HTTP status, network error)' })),
    warnings: Type.Optional(Type.Array(Type.String(), { description: 'e.g. unknown placeholders left as written' })),
    httpStatus: Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description: 'webhooks: status of the last attempt; null when none answered' })),
    pid: Type.Optional(Type.Integer({ minimum: 1, description: 'processes: the process (and process group) id' })),
  },
  { additionalProperties: false },
);
export type HookRun = Static<typeof HookRun>;

export const HookResultV1 = Type.Object(
  {
    requestId: Type.String({ minLength: 1 }),
    hookKind: HookKind,
    clusterId: ClusterId,
    recoveryUid: Type.String(),
    ok: Type.Boolean(),
    runs: Type.Array(HookRun),
    error: Type.Union([Type.String(), Type.Null()]),
    replayed: Type.Optional(
      Type.Boolean({ description: 'true when this answers a repeated request id with the stored result of the first run (nothing ran again)' }),
    ),
  },
  { additionalProperties: false, $id: 'HookResultV1' },
);
export type HookResult = Static<typeof HookResultV1>;
