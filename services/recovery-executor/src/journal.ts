/**
 * The recovery journal (conventions §19): what a recovery decided and did, durable in the backend
 * where neither an executor's death nor a Redis restart can erase it, and the cluster's epoch
 * (recovery term) that decides who may still act.
 *
 *   claim      a new recovery: the epoch goes up by one, the recoveries row and a `claim` entry are
 *              written, all in one transaction; refused while another recovery of the cluster runs
 *   takeOver   a running recovery whose holder stopped renewing for longer than takeoverAfterMs:
 *              the epoch goes up again, the attempt too, a `takeover` entry names the predecessor
 *   record     one entry, written only while `epoch` is still the cluster's; otherwise
 *              StaleEpochError: a newer holder exists, and this one must stop before its next
 *              statement to any server
 *   heartbeat  the holder's sign of life (renewed_at), refused as well once the epoch moved on
 *   resolve    the recoveries row's outcome and a `resolved` entry, under the same condition
 *
 * Entries hold decisions (the drained replicas, the chosen candidate); the servers hold the
 * effects, and a takeover reads both again (backend-journal.ts is the SQL).
 */
import type { InstanceKey } from '@baton/contracts';
import { BatonError } from '@baton/errors';
import type { RecoveryResolution, RecoveryRow } from './ports.ts';

export type JournalState = 'intent' | 'done' | 'failed' | 'info';

export interface JournalEntry {
  step: string;
  state: JournalState;
  epoch: number;
  attempt: number;
  executor: string;
  data: Record<string, unknown>;
  at: Date;
}

/** The journal's view of a recovery: who holds it and under which epoch. */
export interface Term {
  clusterId: string;
  uid: string;
  epoch: number;
  attempt: number;
}

export type ClaimOutcome =
  | { claimed: true; term: Term }
  /** Another recovery of the cluster runs; `stale` when its holder stopped renewing (a takeover is due). */
  | { claimed: false; runningUid: string; stale: boolean };

export interface Takeover {
  term: Term;
  previousEpoch: number;
  previousExecutor: string;
  entries: JournalEntry[];
}

/** A recovery left running by an executor that stopped renewing it. */
export interface OrphanedRecovery {
  clusterId: string;
  uid: string;
  epoch: number;
  executor: string;
  idleMs: number;
}

/** What a takeover needs to know of the recovery it continues (its recoveries row). */
export type StoredRecovery = Omit<RecoveryRow, 'countReplicas' | 'processingNode'>;

export interface RecoveryJournal {
  claim(row: RecoveryRow, executor: string, takeoverAfterMs: number): Promise<ClaimOutcome>;
  /** null when the recovery is no longer running, or its holder renewed within takeoverAfterMs. */
  takeOver(clusterId: string, uid: string, executor: string, takeoverAfterMs: number): Promise<Takeover | null>;
  /** Throws StaleEpochError when `term` no longer holds the cluster. */
  record(term: Term, executor: string, step: string, state: JournalState, data?: Record<string, unknown>): Promise<void>;
  /** false once the epoch moved on (the caller must stop). */
  heartbeat(term: Term): Promise<boolean>;
  /** Throws StaleEpochError when `term` no longer holds the cluster. */
  check(term: Term): Promise<void>;
  /** false when the epoch moved on (nothing written). */
  resolve(term: Term, executor: string, resolution: RecoveryResolution): Promise<boolean>;
  orphans(takeoverAfterMs: number): Promise<OrphanedRecovery[]>;
  recovery(uid: string): Promise<StoredRecovery | null>;
  /** The highest audit step number recorded for the recovery (a takeover's steps follow it). */
  lastStepSeq(uid: string): Promise<number>;
}

/** The cluster's epoch moved past this recovery's: a newer holder exists. */
export class StaleEpochError extends BatonError {
  static override readonly code = 'BATON_STALE_EPOCH';
  constructor(term: Term, what: string) {
    super(StaleEpochError.code, `epoch ${term.epoch} of recovery ${term.uid} is no longer cluster ${term.clusterId}'s: ${what} refused`, {
      clusterId: term.clusterId,
      recoveryUid: term.uid,
      epoch: term.epoch,
    });
  }
}

/** The promote intent's candidate, when the journal has one (the latest). */
export function intendedSuccessor(entries: readonly JournalEntry[]): InstanceKey | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i] as JournalEntry;
    if (e.step !== 'promote') continue;
    if (e.state === 'failed') return null; // its promotion did not verify and it was set back to read-only
    const c = e.data['candidate'] as { host?: unknown; port?: unknown } | undefined;
    if (c && typeof c.host === 'string' && typeof c.port === 'number') return { host: c.host, port: c.port };
  }
  return null;
}

/** The replicas a predecessor stopped (its `stop-replicas` intents), to restart when nothing gets promoted. */
export function stoppedReplicas(entries: readonly JournalEntry[]): InstanceKey[] {
  const seen = new Map<string, InstanceKey>();
  for (const e of entries) {
    if (e.step !== 'stop-replicas') continue;
    for (const r of (e.data['replicas'] as Array<{ host: string; port: number }> | undefined) ?? []) seen.set(`${r.host}:${r.port}`, { host: r.host, port: r.port });
  }
  return [...seen.values()];
}
