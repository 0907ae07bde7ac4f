export { SnapshotAnalyzer, type AnalysisPublisher, type AnalyzeOutcome, type AnalyzerStats, type ProbeRequester, type SnapshotAnalyzerOptions, type SnapshotMeta } from './analyze-and-publish.ts';
export { BackgroundWrites, type BackgroundStats } from './background-writes.ts';
export { createBackendChangelogStore, diffChangelog, type ChangelogRow, type ChangelogStore } from './changelog.ts';
export { analysisPolicyFromConfig, analyzerSettings, topicNamesFromConfig, type AnalyzerSettings } from './config.ts';
export { consumeSnapshots, kafkaAnalysisPublisher, type ConsumeSnapshotsOptions } from './consume-snapshots.ts';
export { createRedisSnapshotCache, type SnapshotCache } from './snapshot-cache.ts';
export { startAnalyzer, type RunningAnalyzer, type StartAnalyzerOptions, type StopStep } from './start-analyzer.ts';
export { kafkaProbeRequester } from './probe-requester.ts';
export { clockOffsetVariable, faultClockFromEnv } from './fault-clock.ts';
