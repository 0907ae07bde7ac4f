/**
 * What the analyzer takes from the configuration: the analysis policy (orchestrator's recovery
 * keys, with the recovery loop's hints) and its own settings. Pure functions of the config object.
 */
import type { BatonConfig } from '@baton/config';
import { analysisPolicyFromConfig as domainPolicyFromConfig, type ResolvedAnalysisPolicy } from '@baton/domain';
import { consumerGroupId, topicNamesFromConfig, type TopicNames } from '@baton/kafka';
export { topicNamesFromConfig } from '@baton/kafka';

/**
 * The policy the analyzer runs analyze() with. Hints as in orchestrator's recovery loop:
 * IncludeDowntimed (downtimed rows are published, flagged skippableDueToDowntime, and the executor
 * skips them) — plus IncludeNoProblem, so the change log also sees instances that went back to
 * NoProblem; the published message drops those rows again (see analyze-and-publish.ts).
 * pollIntervalMs stays null: the validity window uses each snapshot's own poll interval.
 */
export function analysisPolicyFromConfig(config: Pick<BatonConfig, 'analyzer' | 'recovery'>): ResolvedAnalysisPolicy {
  return domainPolicyFromConfig(config, { includeNoProblem: true });
}


export interface AnalyzerSettings {
  groupId: string;
  snapshotTtlMs: number;
  partitionsConsumedConcurrently: number;
  names: TopicNames;
  keyPrefix: string | undefined;
}

export function analyzerSettings(config: Pick<BatonConfig, 'analyzer' | 'kafka' | 'redis'>): AnalyzerSettings {
  return {
    groupId: consumerGroupId(config.kafka, config.analyzer.consumerGroup),
    snapshotTtlMs: config.analyzer.snapshotTtlMs,
    partitionsConsumedConcurrently: config.analyzer.partitionsConsumedConcurrently,
    names: topicNamesFromConfig(config.kafka),
    keyPrefix: config.redis.keyPrefix,
  };
}
