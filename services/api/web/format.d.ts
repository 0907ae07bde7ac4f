/** Types of format.js (the web page's pure logic, plain JavaScript so the browser loads it unbuilt). */

export interface OrcKey {
  Hostname: string;
  Port: number;
}

/** The fields of the api's Instance JSON the page reads. */
export interface InstanceRow {
  Key: OrcKey;
  MasterKey: OrcKey;
  ReadOnly: boolean;
  IsCoMaster?: boolean;
  IsLastCheckValid: boolean;
  LastError?: string;
  ReplicationIOThreadRuning?: boolean;
  ReplicationSQLThreadRuning?: boolean;
  LastIOError?: string;
  LastSQLError?: string;
  SecondsBehindMaster?: { Int64: number; Valid: boolean };
  IsDowntimed?: boolean;
  DowntimeOwner?: string;
  DowntimeReason?: string;
  DowntimeEndTimestamp?: string;
  PromotionRule?: string;
  GtidErrant?: string;
  Problems?: string[];
}

export type Role = 'primary' | 'co-primary' | 'standalone' | 'intermediate' | 'replica';

export interface TreeNode {
  key: string;
  row: InstanceRow;
  role: Role;
  depth: number;
  children: TreeNode[];
}

export interface Flag {
  label: string;
  tone: 'ok' | 'warn' | 'bad' | 'info';
  title: string;
}

export interface RecoveryJson {
  IsActive: boolean;
  IsSuccessful: boolean;
  Outcome: string;
  AllErrors?: unknown;
  RecoveryStartTimestamp?: string;
}

export interface StepJson {
  Id: number;
  Seq?: number;
  AuditAt: string;
  Step?: string;
  Message: string;
  Ok: boolean | null;
}

export interface BlockedJson {
  FailedInstanceKey: OrcKey;
  ClusterName: string;
  Analysis: string;
  Reason: string;
  BlockingRecoveryUID?: string;
  TimesBlocked?: number;
  LastBlockedTimestamp?: string;
}

export interface AnalysisJson {
  AnalyzedInstanceKey: OrcKey;
  Analysis: string;
  IsActionableRecovery: boolean;
  IsDowntimed?: boolean;
  SkippableDueToDowntime?: boolean;
  ClusterDetails?: { ClusterName: string; HasAutomatedMasterRecovery?: boolean };
}

export function keyText(key: OrcKey | null | undefined): string;
export function buildTree(rows: readonly InstanceRow[]): TreeNode[];
export function lagText(row: InstanceRow): string | null;
export function instanceFlags(row: InstanceRow): Flag[];
export function outcomeText(recovery: RecoveryJson): string;
export function outcomeTone(recovery: RecoveryJson): 'ok' | 'warn' | 'bad' | 'info';
export function elapsedMs(fromIso: string | undefined, toIso: string | undefined): number | null;
export function durationText(ms: number | null | undefined): string;
export function stepTimeline<S extends StepJson>(recovery: RecoveryJson, steps: readonly S[]): Array<{ step: S; offsetMs: number | null }>;
export function stepMark(ok: boolean | null): string;
export function whyBlocked(blocked: BlockedJson, now: number): string;
export function whyNotRecovering(entry: AnalysisJson, context: { recoveriesDisabled: boolean; blocked?: readonly BlockedJson[]; now: number }): string | null;
