/**
 * `@baton/testing/chaos`: what a chaos scenario records and the invariants it must keep.
 *  - invariants.ts: pure checkers (split brain, lost acked writes, final topology, recoveries
 *    left running, double promotion) and the readable report;
 *  - sampler.ts: who answers and who is writable every 25 ms, each instance polled on its own;
 *    `readFinalTopology` for the end state;
 *  - app-writer.ts: an application writer that follows the primary, and `readPresentSeqs`.
 */
export {
  checkSplitBrain,
  type ReturnWindow,
  checkAckedWrites,
  checkReportedLoss,
  type ReportedLoss,
  checkFinalTopology,
  checkRecoveryRows,
  checkPromotions,
  formatReport,
  formatSample,
  type InvariantName,
  type Violation,
  type Sample,
  type SampledInstance,
  type FinalTopology,
  type FinalInstance,
  type ReplicationChannel,
  type RecoveryRow,
  type PromotionStep,
  type ReportInput,
} from './invariants.ts';
export { startInvariantSampler, readFinalTopology, type InvariantSampler, type SamplerOptions, type PollerStatus, type ReadTopologyOptions } from './sampler.ts';
export { startAppWriter, readPresentSeqs, findWritable, type AppWriter, type AppWriterOptions, type AppWriterResult } from './app-writer.ts';
export { chaosInstances, instanceId, type ChaosInstance, type ChaosCredentials } from './connect.ts';
