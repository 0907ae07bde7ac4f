export {
  InstanceProber,
  assertTimeoutsBelowPollInterval,
  describeProbeError,
  type InstanceProberOptions,
  type ProbeCredentials,
} from './instance-prober.ts';
export { discoverTopology, type DiscoveredTopology, type DiscoveryOptions, type TopologyEdge } from './discover-topology.ts';
export { proberSettingsFromConfig, type ProbeConfigSections, type ProberSettings } from './settings.ts';
export { attemptStarted, probeFailed, probeSucceeded, type InstanceAnnotations } from './observation.ts';
export { readInstance, readProbeRows, readDetectedLocation, type ReadProgress } from './read-instance.ts';
export { mapProbeRows, isCoMasterOf, type InstanceFacts, type ProbeRows } from './map-probe-rows.ts';
export { mapIdentity, mapMariadbGtid, mapMysqlGtid, flavourOf, probedVariables, type InstanceIdentity, type Flavour } from './map-identity.ts';
export { mapReplication, mapBinlogCoordinates, retrievedGtidSet } from './map-replication.ts';
export { extendedSourceSilence, sourceSilence, type SourceProgress, type SourceSilence } from './source-silence.ts';
export { mapSemiSync, needsSemiSyncStatus, probedStatus } from './map-semi-sync.ts';
export { mapConnectedReplicas, clientHostOf } from './map-replicas.ts';
export { compileLocation, resolveLocation, matchPattern, type LocationSettings, type Location } from './location.ts';
export { statementsFor, variablesSql, semiSyncStatusSql, dumpThreadsSql, type FlavourStatements } from './statements.ts';
export {
  mapPromotionEpoch,
  isNoEpochError,
  noEpochErrnos,
  promotionEpochSql,
  promotionEpochSchema,
  promotionEpochTable,
  createPromotionEpochSchemaSql,
  createPromotionEpochTableSql,
  upsertPromotionEpochSql,
} from './promotion-epoch.ts';
