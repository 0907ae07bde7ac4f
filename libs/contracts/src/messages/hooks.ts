import { Type, type Static } from '@sinclair/typebox';
import { ClusterId } from '../common.ts';

/** Orchestrator's hook lists, by their config key names. */
export const hookKinds = [
  'OnFailureDetectionProcesses',
  'PreFailoverProcesses',
  'PostMasterFailoverProcesses',
  'PostIntermediateMasterFailoverProcesses',
  'PostFailoverProcesses',
  'PostUnsuccessfulFailoverProcesses',
  'PreGracefulTakeoverProcesses',
  'PostGracefulTakeoverProcesses',
] as const;
export const HookKind = Type.Union(hookKinds.map((k) => Type.Literal(k)));
export type HookKind = Static<typeof HookKind>;

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
    output: Type.String({ description: 'combined stdout/stderr, bounded' }),
    outputTruncated: Type.Boolean(),
    attempts: Type.Integer({ minimum: 0 }),
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
  },
  { additionalProperties: false, $id: 'HookResultV1' },
);
export type HookResult = Static<typeof HookResultV1>;
