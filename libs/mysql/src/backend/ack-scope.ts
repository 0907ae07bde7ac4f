import type { InstanceKey } from '@baton/contracts';

/** Which recoveries an acknowledgement covers (orchestrator's ack-recovery routes). */
export type AckScope =
  | { scope: 'cluster'; clusterId: string }
  | { scope: 'instance'; instance: InstanceKey; clusterId?: string }
  | { scope: 'uid'; uid: string }
  | { scope: 'all' };

/**
 * The WHERE condition on the `recoveries` table for an acknowledgement scope: a cluster matches its
 * id or its alias, an instance matches the recoveries whose FAILED instance it was.
 */
export function ackScopeWhere(s: AckScope): { sql: string; values: unknown[] } {
  switch (s.scope) {
    case 'cluster':
      return { sql: '(cluster_id = ? OR cluster_alias = ?)', values: [s.clusterId, s.clusterId] };
    case 'instance':
      return { sql: 'failed_host = ? AND failed_port = ?', values: [s.instance.host, s.instance.port] };
    case 'uid':
      return { sql: 'uid = ?', values: [s.uid] };
    case 'all':
      return { sql: '1 = 1', values: [] };
  }
}
