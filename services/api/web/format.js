/**
 * The web page's pure logic, in plain JavaScript so the browser loads it as it is (no build step):
 * the topology tree from the api's Instance JSON, an instance's lag and flags, a recovery's outcome
 * and step offsets, and "why was this not recovered" in words, for a blocked recovery and for a
 * problem the analysis shows now. No DOM and no clock here: `now` is passed in. Types: format.d.ts;
 * tests: test/web-format.test.ts.
 */

/** `host:port` of orchestrator's {Hostname, Port}; '' for none. */
export function keyText(key) {
  return key && key.Hostname ? `${key.Hostname}:${key.Port}` : '';
}

/**
 * The instances as trees, each replica under its source: roots with the most replicas first (as the
 * api's ASCII topology), primaries before standalone servers, then host:port order. Roles as libs/domain's renderTopology names them, and one
 * step further for a page: a root with replicas is `primary`; when no root has replicas, a
 * reachable root is `primary` (the last one standing); the other roots are `standalone` (a detached
 * or dead old primary); below a root `intermediate` (has replicas) or `replica`.
 */
export function buildTree(rows) {
  const byKey = new Map(rows.map((row) => [keyText(row.Key), row]));
  const children = new Map(rows.map((row) => [keyText(row.Key), []]));
  const roots = [];
  for (const row of rows) {
    const source = keyText(row.MasterKey);
    const siblings = source !== '' && source !== keyText(row.Key) ? children.get(source) : undefined;
    if (siblings && !(row.IsCoMaster && byKey.get(source)?.IsCoMaster)) siblings.push(row);
    else roots.push(row);
  }
  const order = (a, b) => keyText(a.Key).localeCompare(keyText(b.Key), 'en', { numeric: true });
  // the roots that are primaries: those with replicas; else the reachable ones; else all of them
  const withReplicas = roots.filter((r) => (children.get(keyText(r.Key)) ?? []).length > 0);
  const reachable = roots.filter((r) => r.IsLastCheckValid);
  const primaries = new Set(withReplicas.length > 0 ? withReplicas : reachable.length > 0 ? reachable : roots);
  const seen = new Set();
  const node = (row, depth) => {
    const key = keyText(row.Key);
    seen.add(key);
    const below = (children.get(key) ?? []).filter((c) => !seen.has(keyText(c.Key))).sort(order);
    const role = depth === 0 ? (row.IsCoMaster ? 'co-primary' : primaries.has(row) ? 'primary' : 'standalone') : below.length > 0 ? 'intermediate' : 'replica';
    return { key, row, role, depth, children: below.map((c) => node(c, depth + 1)) };
  };
  const rank = (r) => (children.get(keyText(r.Key)) ?? []).length + (primaries.has(r) ? 0.5 : 0);
  const sortedRoots = [...roots].sort((a, b) => rank(b) - rank(a) || order(a, b));
  const trees = sortedRoots.map((r) => node(r, 0));
  // a replication ring has no root: each unseen member starts a tree of its own
  for (const row of [...rows].sort(order)) {
    if (seen.has(keyText(row.Key))) continue;
    primaries.add(row);
    trees.push(node(row, 0));
  }
  return trees;
}

/** A replica's lag as the api reports it (SecondsBehindMaster {Int64, Valid}); null for a server that replicates from nobody. */
export function lagText(row) {
  if (!keyText(row.MasterKey)) return null;
  const lag = row.SecondsBehindMaster;
  return lag && lag.Valid ? `lag ${lag.Int64}s` : 'lag unknown';
}

/**
 * The badges of an instance: {label, tone, title} with tone ok | warn | bad | info. read_only (ro/rw),
 * downtime (owner, reason, end), replication threads, last check, promotion rule, errors.
 */
export function instanceFlags(row) {
  const flags = [];
  if (!row.IsLastCheckValid) flags.push({ label: 'unreachable', tone: 'bad', title: row.LastError || 'the last probe did not answer' });
  // an unreachable server's read_only is what it was when last seen
  const stale = !row.IsLastCheckValid;
  const ro = row.ReadOnly ? 'read_only' : 'writable';
  flags.push({ label: stale ? `last seen ${ro}` : ro, tone: stale ? 'warn' : row.ReadOnly ? 'info' : 'ok', title: `read_only=${row.ReadOnly ? 1 : 0}${stale ? ' when last seen' : ''}` });
  if (keyText(row.MasterKey)) {
    const io = row.ReplicationIOThreadRuning;
    const sql = row.ReplicationSQLThreadRuning;
    if (!io || !sql) flags.push({ label: `not replicating (IO ${io ? 'Yes' : 'No'}, SQL ${sql ? 'Yes' : 'No'})`, tone: 'bad', title: row.LastIOError || row.LastSQLError || '' });
  }
  if (row.IsDowntimed) {
    const parts = [row.DowntimeOwner, row.DowntimeReason].filter(Boolean).join(': ');
    flags.push({ label: 'downtimed', tone: 'warn', title: `${parts}${row.DowntimeEndTimestamp ? ` (until ${row.DowntimeEndTimestamp})` : ''}` });
  }
  if (row.PromotionRule && row.PromotionRule !== 'neutral') flags.push({ label: `promotion: ${row.PromotionRule}`, tone: 'info', title: 'register-candidate' });
  if (row.GtidErrant) flags.push({ label: 'errant GTID', tone: 'warn', title: row.GtidErrant });
  return flags;
}

const outcomeWords = {
  successful: 'succeeded',
  failed: 'failed',
  'not-needed': 'not needed: the executor\u2019s own probes no longer showed the failure',
  skipped: 'skipped: the failed instance now shows another problem, not the one this recovery handles',
  'not-attempted': 'not attempted',
};

/** A recovery's state in words, with its last error for the ones that did not succeed. */
export function outcomeText(recovery) {
  if (recovery.IsActive) return 'running';
  const words = outcomeWords[recovery.Outcome] ?? (recovery.IsSuccessful ? 'succeeded' : recovery.Outcome || 'ended');
  const errors = Array.isArray(recovery.AllErrors) ? recovery.AllErrors : [];
  const last = errors[errors.length - 1];
  return recovery.Outcome !== 'successful' && last ? `${words}: ${last}` : words;
}

/** A recovery's tone: ok (succeeded), bad (failed), warn (running), info (declined, nothing changed). */
export function outcomeTone(recovery) {
  if (recovery.IsActive) return 'warn';
  if (recovery.Outcome === 'successful' || (!recovery.Outcome && recovery.IsSuccessful)) return 'ok';
  return recovery.Outcome === 'failed' ? 'bad' : 'info';
}

/** Milliseconds from `fromIso` to `toIso`; null when either is missing or unreadable. */
export function elapsedMs(fromIso, toIso) {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  return Number.isNaN(from) || Number.isNaN(to) ? null : to - from;
}

/** 850 ms, 2.4 s, 3 min 5 s, 2 h 1 min. */
export function durationText(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(abs / 1000);
  const sign = ms < 0 ? '-' : '';
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${s % 60} s`;
  return `${sign}${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The audited steps in order (Seq), each with its offset from the recovery's start: {step, offsetMs}. */
export function stepTimeline(recovery, steps) {
  const start = recovery.RecoveryStartTimestamp || steps[0]?.AuditAt || '';
  return [...steps].sort((a, b) => (a.Seq ?? a.Id) - (b.Seq ?? b.Id)).map((step) => ({ step, offsetMs: elapsedMs(start, step.AuditAt) }));
}

/** ✓ succeeded, ✗ failed, • informational (a step's Ok: true | false | null). */
export function stepMark(ok) {
  return ok === true ? '\u2713' : ok === false ? '\u2717' : '\u2022';
}

const times = (n) => (n === 1 ? 'once' : `${n} times`);

/**
 * Why a blocked recovery (BlockedTopologyRecovery) was not run, in words, from the executor's
 * reason: `recovery-block` (the cluster's anti-flapping block after a recent recovery),
 * `recently-promoted` (the failed instance is the primary that recovery just promoted),
 * `recovery-in-flight` (another recovery of the cluster was running). `now` (ms) dates the last try.
 */
export function whyBlocked(blocked, now) {
  const failed = keyText(blocked.FailedInstanceKey);
  const by = blocked.BlockingRecoveryUID ? `recovery ${blocked.BlockingRecoveryUID}` : 'an earlier recovery';
  const ago = elapsedMs(blocked.LastBlockedTimestamp, new Date(now).toISOString());
  const when = `Blocked ${times(blocked.TimesBlocked ?? 1)}${ago !== null && ago >= 0 ? `, last ${durationText(ago)} ago` : ''}.`;
  switch (blocked.Reason) {
    case 'recovery-block':
      return `${blocked.Analysis} on ${failed} was not recovered: cluster ${blocked.ClusterName} is in the anti-flapping block left by ${by} (RecoveryPeriodBlockSeconds). Acknowledge that recovery to lift the block, or wait until it expires. ${when}`;
    case 'recently-promoted':
      return `${blocked.Analysis} on ${failed} was not recovered: ${failed} is the primary that ${by} promoted moments ago, and Baton does not fail over a just-promoted primary within the block period (anti-flapping). Look at why it failed again, then acknowledge that recovery to allow another. ${when}`;
    case 'recovery-in-flight':
      return `${blocked.Analysis} on ${failed} was not recovered: ${by} of cluster ${blocked.ClusterName} was still running, and no second recovery starts beside it. ${when}`;
    default:
      return `${blocked.Analysis} on ${failed} was not recovered: ${blocked.Reason || 'blocked'}. ${when}`;
  }
}

/** Codes that are no failure to recover (analysis rows shown only for their structure warnings). */
const quiet = new Set(['NoProblem', '']);

/**
 * Why a problem the analysis shows now (a ReplicationAnalysis entry) will not be recovered
 * automatically, in words; null when it would be (or is no failure). In the executor's order: not
 * actionable, dead intermediate primary (detected, not recovered yet), the global switch, the
 * cluster filters (RecoverMasterClusterFilters), downtime, then a block the cluster holds.
 */
export function whyNotRecovering(entry, context) {
  if (quiet.has(entry.Analysis)) return null;
  const on = `${entry.Analysis} on ${keyText(entry.AnalyzedInstanceKey)}`;
  if (!entry.IsActionableRecovery) return `${on} is reported, not recovered: no recovery acts on this code.`;
  if (entry.Analysis.includes('IntermediateMaster')) return `${on} is detected and its detection hooks run, but Baton does not recover dead intermediate primaries yet.`;
  if (context.recoveriesDisabled) return `${on} will not be recovered: automated recoveries are disabled globally (enable-global-recoveries turns them back on; a forced recover still runs).`;
  if (entry.ClusterDetails && entry.ClusterDetails.HasAutomatedMasterRecovery === false) {
    return `${on} will not be recovered automatically: cluster ${entry.ClusterDetails.ClusterName} does not match RecoverMasterClusterFilters.`;
  }
  if (entry.IsDowntimed && entry.SkippableDueToDowntime) return `${on} will not be recovered: the instance is downtimed.`;
  const blocked = (context.blocked ?? []).find((b) => b.ClusterName === entry.ClusterDetails?.ClusterName && keyText(b.FailedInstanceKey) === keyText(entry.AnalyzedInstanceKey));
  if (blocked) return whyBlocked(blocked, context.now);
  return null;
}
