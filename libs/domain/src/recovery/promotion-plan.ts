/**
 * Input and result of `planPromotion` (the dead-primary candidate choice, as data).
 */
import type { InstanceKey, InstanceObservation, PromotionRule } from '@baton/contracts';
import type { PromotionPolicyInput } from './promotion-policy.ts';

export interface Reachability {
  /** the planner's clock (ms since the epoch), passed in: the domain never reads the clock */
  readonly nowMs: number;
  /** an observation whose last success is older than this at nowMs, or whose last probe failed, is unreachable */
  readonly windowMs: number;
}

export interface PromotionInput {
  /** the failed primary's last observation (may be stale or partial): DC, region, server id, last position */
  readonly failed: InstanceObservation;
  /**
   * The failed primary's direct replicas, read by the executor AFTER it stopped them and let them
   * apply what they had received (bounded wait).
   */
  readonly replicas: readonly InstanceObservation[];
  readonly policy: PromotionPolicyInput;
  readonly reachability: Reachability;
  /** forced recovery naming a candidate */
  readonly requestedCandidate?: InstanceKey;
  /**
   * Replication lag in seconds by instance id (`host:port`), as last measured while replicating (a
   * stopped replica reports none). Falls back to the observation's Seconds_Behind_Master.
   */
  readonly lagSeconds?: Readonly<Record<string, number | null>>;
}

export type LostKind = 'unreachable' | 'position-unknown' | 'ahead' | 'diverged' | 'cannot-replicate';

export interface LostReplica {
  readonly replica: InstanceKey;
  readonly kind: LostKind;
  readonly reason: string;
}

/** Transactions a surviving replica holds that the promoted candidate will not have. */
export interface LostTransactions {
  readonly holder: InstanceKey;
  /** GTID text (MySQL set, or MariaDB domain-server-seq list of the holder's position in each domain) */
  readonly missing: string;
}

export interface CatchUpStep {
  /** the most advanced replica: the candidate replicates from it by GTID until it has `untilPosition` */
  readonly source: InstanceKey;
  /** the source's executed position (what the candidate must reach before promotion) */
  readonly untilPosition: string;
  /** what the candidate lacks before the catch-up */
  readonly missing: string;
}

/** One replica in the final order (best first): why it ranks where it does. */
export interface RankedReplica {
  readonly replica: InstanceKey;
  readonly eligible: boolean;
  readonly ineligibleReasons: readonly string[];
  /** executed plus received-but-unapplied GTIDs */
  readonly position: string;
  /** it holds every transaction any surviving replica holds */
  readonly holdsAll: boolean;
  /** the replica it would catch up from first (null when not needed or not possible) */
  readonly catchUpFrom: InstanceKey | null;
  /** promoting it loses no transaction another surviving replica holds */
  readonly lossFree: boolean;
  /** surviving replicas with a known position that could not be moved under it */
  readonly replicasLostIfPromoted: number;
  readonly promotionRule: PromotionRule;
  readonly errantGtids: string;
}

export interface PromotionPlanOk {
  readonly ok: true;
  readonly candidate: InstanceKey;
  readonly catchUpFrom?: CatchUpStep;
  /** every other replica that can replicate from the candidate: moved under it by GTID */
  readonly moves: readonly InstanceKey[];
  /** every other replica that cannot, each with the reason (never silently dropped) */
  readonly lost: readonly LostReplica[];
  /** transactions lost with this plan (only with allowLossOfTransactions; otherwise the plan fails) */
  readonly lostTransactions: readonly LostTransactions[];
  /** apply the candidate's relay log before promoting it (Gtid_IO_Pos / Retrieved_Gtid_Set not applied yet) */
  readonly waitForSqlThread: boolean;
  /** the candidate's position once caught up and applied; the moved replicas will converge on it */
  readonly expectedPosition: string;
  readonly warnings: readonly string[];
  readonly ranking: readonly RankedReplica[];
}

export interface PromotionFailureDetails {
  readonly ranking: readonly RankedReplica[];
  /** replicas that could not be ranked: unreachable, or no usable GTID position */
  readonly unranked: readonly LostReplica[];
  /** what the best candidate lacks, by holder (when the failure is about lost transactions) */
  readonly lacking: readonly LostTransactions[];
  readonly warnings: readonly string[];
}

export interface PromotionPlanFailed {
  readonly ok: false;
  readonly reason: string;
  readonly details: PromotionFailureDetails;
}

export type PromotionPlan = PromotionPlanOk | PromotionPlanFailed;
