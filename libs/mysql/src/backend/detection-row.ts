import type { InstanceKey } from '@baton/contracts';

/**
 * A failure_detections row as the executor registers it; the api reads these columns back with
 * the ones that change later (end, related recovery, acknowledgement).
 */
export interface FailureDetectionRow {
  uid: string;
  clusterId: string;
  clusterAlias: string;
  instance: InstanceKey;
  analysis: string;
  isActionable: boolean;
  countReplicas: number;
  replicaHosts: string[];
  processingNode: string;
  startedAt: Date;
}
