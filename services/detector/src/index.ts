export { startDetector, type RunningDetector, type StartDetectorOptions, type StopStep } from './start-detector.ts';
export {
  registerCluster,
  registerClusterWithConfig,
  forgetCluster,
  resolveRegistration,
  publishRegistration,
  type RegisterClusterOptions,
  type RegisterClusterResult,
} from './register-cluster.ts';
export { readRegistry, type ReadRegistryOptions } from './read-registry.ts';
export { detectorSettings, parseInstanceKey, topicNamesFromConfig, defaultGroupId, defaultCommandsGroupId } from './config.ts';
export {
  formatCandidateValue,
  formatDowntimeValue,
  parseCandidateValue,
  parseDowntimeValue,
  type CandidateValue,
  type DowntimeValue,
} from '@baton/state';
