export { describeInstance, descriptionTokens, isDetachedObservation, isReplicaObservation, lagToken, statusToken, type DescribeInstanceOptions } from './describe-instance.ts';
export { renderTopology, renderTopologyTabulated, topologyRows, type InstanceRole, type RenderTopologyOptions, type TopologyRow } from './render-topology.ts';
