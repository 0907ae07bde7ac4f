/**
 * Which instances a cluster has (pure). It starts from the registration's seeds (every instance
 * discovery found) and grows with what probes report: each instance's replication source and its
 * connected replicas (SHOW SLAVE HOSTS / replication threads). New names are probed from the next
 * run on. An instance is its host:port. A name that turns out to be a second name of an instance
 * already known is dropped again and remembered as an alias, so it is not added back; names from
 * the registration are never dropped. Second name means: both names answer their latest probe, as
 * the same server (server_id, and server_uuid where the flavour has one). A name that does not
 * answer is never anyone's second name: server_ids are reused (a topology restarted on other ports,
 * a rebuilt host), and a dead instance that once had a server_id must not hide the live one that
 * has it now.
 */
import type { InstanceKey, InstanceObservation } from '@baton/contracts';

export const keyId = (k: InstanceKey): string => `${k.host}:${k.port}`;

/** Master_Host values that mean "no source": '', '_' (orchestrator's detached marker), '//…'. */
export function sourceKeyOf(o: InstanceObservation): InstanceKey | null {
  const r = o.replication;
  if (!r) return null;
  const host = r.sourceHost;
  if (host === '' || host === '_' || host.startsWith('//') || r.sourcePort <= 0 || r.sourcePort > 65535) return null;
  return { host, port: r.sourcePort };
}

/** The instances an observation points at: its source, then its connected replicas. */
export function referencedInstances(o: InstanceObservation): InstanceKey[] {
  const source = sourceKeyOf(o);
  return [...(source ? [source] : []), ...o.connectedReplicas];
}

/** Instances referenced by `observations` that are neither known nor remembered aliases, deduplicated. */
export function newInstances(observations: readonly InstanceObservation[], known: ReadonlySet<string>, aliases: ReadonlySet<string>): InstanceKey[] {
  const out = new Map<string, InstanceKey>();
  for (const o of observations) {
    for (const k of referencedInstances(o)) {
      const id = keyId(k);
      if (!known.has(id) && !aliases.has(id) && !out.has(id)) out.set(id, { host: k.host, port: k.port });
    }
  }
  return [...out.values()];
}

export interface Member {
  id: string;
  observation: InstanceObservation;
  /** From the registration (never dropped as an alias). */
  seed: boolean;
  /** Order in which the cluster learnt the name: the earlier name of a server wins. */
  order: number;
}

/** Who answers under this name now; null when it does not answer (see the header). */
function identity(o: InstanceObservation): string | null {
  if (o.lastSeenAt === null || o.lastError !== null || o.serverId === null) return null;
  return `${o.serverId}/${o.serverUuid ?? ''}`;
}

/** Ids of learnt (non-seed) members that answered as the same server as an earlier or seed member. */
export function aliasMembers(members: readonly Member[]): string[] {
  const byIdentity = new Map<string, Member[]>();
  for (const m of members) {
    const id = identity(m.observation);
    if (id === null) continue;
    const group = byIdentity.get(id) ?? [];
    group.push(m);
    byIdentity.set(id, group);
  }
  const out: string[] = [];
  for (const group of byIdentity.values()) {
    if (group.length < 2) continue;
    const keep = [...group].sort((a, b) => Number(b.seed) - Number(a.seed) || a.order - b.order)[0] as Member;
    for (const m of group) if (m !== keep && !m.seed) out.push(m.id);
  }
  return out;
}

/**
 * Members not seen for `forgetAfterMs` (orchestrator: UnseenInstanceForgetHours): their last
 * success, or when the cluster learnt them if they never answered, is older than that. 0 = never.
 */
export function unseenMembers(members: ReadonlyArray<{ id: string; observation: InstanceObservation; addedAtMs: number }>, nowMs: number, forgetAfterMs: number): string[] {
  if (forgetAfterMs <= 0) return [];
  return members
    .filter((m) => {
      const seen = m.observation.lastSeenAt === null ? Number.NaN : Date.parse(m.observation.lastSeenAt);
      const since = Number.isNaN(seen) ? m.addedAtMs : seen;
      return nowMs - since >= forgetAfterMs;
    })
    .map((m) => m.id);
}
