/**
 * The settings candidate choice and the override checks read (reference §2.4 step 5, §3.1, App. A).
 * Field names are Baton's; `promotionPolicyFromConfig` maps orchestrator's config keys.
 */

export interface PromotionPolicy {
  /** PromotionIgnoreHostnameFilters: regexps searched in the host (IP literals match exactly); matching replicas are never promoted */
  readonly promotionIgnoreHostnameFilters: readonly string[];
  /** PreventCrossDataCenterMasterFailover: only a replica in the failed primary's data center may be promoted */
  readonly preventCrossDataCenter: boolean;
  /** PreventCrossRegionMasterFailover: only a replica in the failed primary's region may be promoted */
  readonly preventCrossRegion: boolean;
  /** FailMasterPromotionOnLagMinutes × 60: fail when the candidate's lag is at least this (0 = off) */
  readonly failOnLagSeconds: number;
  /** FailMasterPromotionIfSQLThreadNotUpToDate (wins over the delay option when both are set) */
  readonly failIfSqlThreadNotUpToDate: boolean;
  /** DelayMasterPromotionIfSQLThreadNotUpToDate */
  readonly delayIfSqlThreadNotUpToDate: boolean;
  /**
   * Baton: promote even when the candidate lacks transactions another surviving replica holds
   * (the loss is reported). Off: such a plan fails. Also governs the SQL-thread wait when neither
   * SQL-thread option is set (promoting before the relay log is applied discards it).
   */
  readonly allowLossOfTransactions: boolean;
  /** ReasonableMaintenanceReplicationLagSeconds: the SQL-delay bound of CanReplicateFrom */
  readonly reasonableMaintenanceReplicationLagSeconds: number;
}

export type PromotionPolicyInput = Partial<PromotionPolicy>;

export const defaultPromotionPolicy: PromotionPolicy = Object.freeze({
  promotionIgnoreHostnameFilters: [],
  preventCrossDataCenter: false,
  preventCrossRegion: false,
  failOnLagSeconds: 0,
  failIfSqlThreadNotUpToDate: false,
  delayIfSqlThreadNotUpToDate: false,
  allowLossOfTransactions: false,
  reasonableMaintenanceReplicationLagSeconds: 20,
});

export function resolvePromotionPolicy(input: PromotionPolicyInput = {}): PromotionPolicy {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as PromotionPolicyInput;
  return Object.freeze({ ...defaultPromotionPolicy, ...defined });
}

/** The orchestrator keys of the `recovery` config section this policy reads (structural: no config import). */
export interface PromotionConfigKeys {
  readonly PromotionIgnoreHostnameFilters: readonly string[];
  readonly PreventCrossDataCenterMasterFailover: boolean;
  readonly PreventCrossRegionMasterFailover: boolean;
  readonly FailMasterPromotionOnLagMinutes: number;
  readonly FailMasterPromotionIfSQLThreadNotUpToDate: boolean;
  readonly DelayMasterPromotionIfSQLThreadNotUpToDate: boolean;
  readonly ReasonableMaintenanceReplicationLagSeconds: number;
  readonly allowLossOfTransactions?: boolean;
}

export function promotionPolicyFromConfig(c: PromotionConfigKeys): PromotionPolicy {
  return resolvePromotionPolicy({
    promotionIgnoreHostnameFilters: c.PromotionIgnoreHostnameFilters,
    preventCrossDataCenter: c.PreventCrossDataCenterMasterFailover,
    preventCrossRegion: c.PreventCrossRegionMasterFailover,
    failOnLagSeconds: c.FailMasterPromotionOnLagMinutes * 60,
    failIfSqlThreadNotUpToDate: c.FailMasterPromotionIfSQLThreadNotUpToDate,
    delayIfSqlThreadNotUpToDate: c.DelayMasterPromotionIfSQLThreadNotUpToDate,
    reasonableMaintenanceReplicationLagSeconds: c.ReasonableMaintenanceReplicationLagSeconds,
    allowLossOfTransactions: c.allowLossOfTransactions,
  });
}
