/**
 * `baton recover HOST:PORT [--candidate HOST:PORT] [--skip-hooks]`, `baton ack …`,
 * `baton recoveries disable|enable|check`, `baton audit …`.
 */
import { apiCommand, parseHostPort } from './api-command.ts';
import { apiPath, callApi, detailsOf, messageOf } from './api-client.ts';
import { table } from './cluster-commands.ts';
import { UsageError, exitCodes } from './io.ts';

export const recoverCommand = apiCommand({
  name: 'recover',
  usage: `Usage: baton recover HOST:PORT [--candidate HOST:PORT] [--skip-hooks] [options]

Forced recovery of the instance's current problem (a dead primary), as orchestrator's recover:
it waits for the recovery to end and prints the promoted instance. Bypasses the cluster filters,
the global switch and the anti-flapping block.
  --candidate HOST:PORT   promote this replica if it can be
  --skip-hooks            run no hooks (recover-lite)`,
  options: { candidate: { type: 'string' }, 'skip-hooks': { type: 'boolean', default: false } },
  positionals: [1, 1],
  async run({ positionals, values, target, io, json, printJson, user }) {
    const key = parseHostPort(positionals[0]);
    const candidate = values['candidate'] === undefined ? undefined : parseHostPort(String(values['candidate']), '--candidate HOST:PORT');
    const parts: Array<string | number> = [values['skip-hooks'] ? 'recover-lite' : 'recover', key.host, key.port, ...(candidate ? [candidate.host, candidate.port] : [])];
    const res = await callApi(target, apiPath(...parts), { mutating: true, user });
    if (json) printJson(res.body);
    else {
      const promoted = detailsOf(res) as { Hostname: string; Port: number };
      io.out(`${messageOf(res)}: promoted ${promoted.Hostname}:${promoted.Port}\n`);
    }
    return exitCodes.ok;
  },
});

export const takeoverCommand = apiCommand({
  name: 'takeover',
  usage: `Usage: baton takeover CLUSTER [--to HOST:PORT] [--auto | --force] [options]

Planned switchover of the cluster's primary (orchestrator's graceful-master-takeover): the target
is checked (lag within ReasonableMaintenanceReplicationLagSeconds, promotion rule, bans, version),
PreGracefulTakeoverProcesses runs (the place to make the proxy stop sending writes), the primary
is set read-only and its client connections killed, the target applies its final position and is
promoted, the other replicas move under it, and the old primary replicates from it. A failure
before the promotion puts everything back (the old primary writable again) and says why.
  --to HOST:PORT   the direct replica to promote (needed unless the primary has only one, or --auto)
  --auto           without --to: the best candidate (graceful-master-takeover-auto)
  --force          force-master-takeover: no lag check, no graceful hooks (--to required)`,
  options: { to: { type: 'string' }, auto: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } },
  positionals: [1, 1],
  async run({ positionals, values, target, io, json, printJson, user }) {
    const to = values['to'] === undefined ? undefined : parseHostPort(String(values['to']), '--to HOST:PORT');
    if (values['auto'] === true && values['force'] === true) throw new UsageError('--auto and --force exclude each other');
    if (values['force'] === true && !to) throw new UsageError('--force needs --to HOST:PORT (force-master-takeover promotes a designated replica)');
    const route = values['force'] === true ? 'force-master-takeover' : values['auto'] === true ? 'graceful-master-takeover-auto' : 'graceful-master-takeover';
    const res = await callApi(target, apiPath(route, String(positionals[0]), ...(to ? [to.host, to.port] : [])), { mutating: true, user });
    if (json) printJson(res.body);
    else {
      const r = detailsOf(res) as { UID: string; SuccessorKey: { Hostname: string; Port: number } | null };
      io.out(`${messageOf(res)}: ${r.SuccessorKey ? `${r.SuccessorKey.Hostname}:${r.SuccessorKey.Port}` : '?'} (recovery ${r.UID})\n`);
    }
    return exitCodes.ok;
  },
});

export const ackCommand = apiCommand({
  name: 'ack',
  usage: `Usage: baton ack CLUSTER --comment TEXT [options]
       baton ack --instance HOST:PORT --comment TEXT | --uid UID --comment TEXT | --all --comment TEXT

Acknowledges recoveries: they stop blocking the next automated recovery of their cluster
(anti-flapping), and their failure detections end.`,
  options: { comment: { type: 'string' }, instance: { type: 'string' }, uid: { type: 'string' }, all: { type: 'boolean', default: false } },
  positionals: [0, 1],
  async run({ positionals, values, target, io, json, printJson, user }) {
    const comment = values['comment'];
    if (typeof comment !== 'string' || comment.trim() === '') throw new UsageError('--comment TEXT is required (why the recoveries are acknowledged)');
    const scopes = [positionals[0] !== undefined, values['instance'] !== undefined, values['uid'] !== undefined, values['all'] === true].filter(Boolean).length;
    if (scopes !== 1) throw new UsageError('name exactly one of CLUSTER, --instance HOST:PORT, --uid UID or --all');
    let path: string;
    if (positionals[0] !== undefined) path = apiPath('ack-recovery', 'cluster', positionals[0]);
    else if (values['instance'] !== undefined) {
      const key = parseHostPort(String(values['instance']), '--instance HOST:PORT');
      path = apiPath('ack-recovery', 'instance', key.host, key.port);
    } else if (values['uid'] !== undefined) path = apiPath('ack-recovery', 'uid', String(values['uid']));
    else path = 'ack-all-recoveries';
    const res = await callApi(target, path, { mutating: true, user, query: { comment } });
    if (json) printJson(res.body);
    else io.out(`${messageOf(res)}\n`);
    return exitCodes.ok;
  },
});

export const recoveriesCommand = apiCommand({
  name: 'recoveries',
  usage: `Usage: baton recoveries disable|enable|check [options]

The global switch of automated recoveries (orchestrator's disable/enable/check-global-recoveries).
check prints "enabled" or "disabled". A forced baton recover runs either way.`,
  positionals: [1, 1],
  async run({ positionals, target, io, json, printJson, user }) {
    const action = positionals[0];
    if (action !== 'disable' && action !== 'enable' && action !== 'check') throw new UsageError(`expected disable, enable or check, got ${JSON.stringify(action)}`);
    const res = await callApi(target, `${action}-global-recoveries`, { mutating: action !== 'check', user });
    if (json) printJson(res.body);
    else io.out(`${String(detailsOf(res))}\n`);
    return exitCodes.ok;
  },
});

interface RecoveryJson {
  Id: number;
  UID: string;
  AnalysisEntry: { AnalyzedInstanceKey: { Hostname: string; Port: number }; ClusterDetails: { ClusterName: string }; Analysis: string };
  SuccessorKey: { Hostname: string; Port: number } | null;
  IsActive: boolean;
  IsSuccessful: boolean;
  Outcome?: string;
  RecoveryStartTimestamp: string;
  Acknowledged: boolean;
  LossReport?: LossReportJson | null;
}

interface LossReportJson {
  base: string;
  entries: Array<{ member: string; role: string; source: string; missing: string; count: number | null }>;
  pending: string[];
}

/** The loss report in lines: each member's lost GTIDs, what is still pending; "no report" for a recovery that promoted nobody. */
export function lossReportText(r: LossReportJson | null | undefined): string {
  if (!r) return 'lost transactions: no report (nobody was promoted)';
  const lines = [
    r.entries.length === 0
      ? `lost transactions: none${r.pending.length === 0 ? '' : ' known yet'} (successor's position at promotion: ${r.base || 'empty'})`
      : `lost transactions (beyond the successor's position at promotion, ${r.base || 'empty'}):`,
    ...r.entries.map((e) => `  ${e.member} (${e.role}, ${e.source}): ${e.missing}${e.count === null ? '' : ` — ${e.count} transaction(s)`}`),
  ];
  if (r.pending.length > 0) lines.push(`  not examined yet (probed until they answer): ${r.pending.join(', ')}`);
  return lines.join('\n');
}

interface StepJson {
  Seq?: number;
  AuditAt: string;
  Step?: string;
  Ok?: boolean | null;
  Message: string;
}

const keyText = (k: { Hostname: string; Port: number } | null) => (k ? `${k.Hostname}:${k.Port}` : '-');

/** `baton recovery UID`: one recovery, its loss report and its steps (as `baton audit --uid UID`). */
export const recoveryCommand = (argv: readonly string[], io: Parameters<typeof auditCommand>[1]) =>
  argv[0] === undefined || argv[0].startsWith('-') ? auditCommand(['--help', ...argv], io) : auditCommand(['--uid', argv[0], ...argv.slice(1)], io);

export const auditCommand = apiCommand({
  name: 'audit',
  usage: `Usage: baton audit [CLUSTER] [--page N] [--unacknowledged] [options]
       baton audit --uid UID [options]        one recovery and its steps
       baton audit --detections [--page N]    failure detections
       baton audit --blocked [CLUSTER]        recoveries blocked by anti-flapping

Recoveries newest first, 20 a page.`,
  options: { page: { type: 'string' }, unacknowledged: { type: 'boolean', default: false }, uid: { type: 'string' }, detections: { type: 'boolean', default: false }, blocked: { type: 'boolean', default: false } },
  positionals: [0, 1],
  async run({ positionals, values, target, io, json, printJson }) {
    const page = values['page'] === undefined ? undefined : String(values['page']);
    if (page !== undefined && !/^\d+$/.test(page)) throw new UsageError(`--page must be a number, got ${JSON.stringify(page)}`);
    const cluster = positionals[0];
    if (values['uid'] !== undefined) {
      const uid = String(values['uid']);
      const [recoveries, steps] = await Promise.all([callApi(target, apiPath('audit-recovery', 'uid', uid)), callApi(target, apiPath('audit-recovery-steps', uid))]);
      if (json) printJson({ recovery: (recoveries.body as unknown[])[0] ?? null, steps: steps.body });
      else {
        const found = (recoveries.body as RecoveryJson[])[0];
        io.out(`${recoveryTable(recoveries.body as RecoveryJson[])}\n\n${found ? `${lossReportText(found.LossReport)}\n\n` : ''}`);
        const list = steps.body as StepJson[];
        const rows = list.map((s, i) => [String(s.Seq ?? i + 1), s.AuditAt, s.Step ?? '', s.Ok === true ? 'ok' : s.Ok === false ? 'FAIL' : '-', s.Message]);
        io.out(rows.length === 0 ? 'no steps\n' : `${table([['#', 'AT', 'STEP', 'RESULT', 'MESSAGE'], ...rows])}\n`);
      }
      return exitCodes.ok;
    }
    if (values['detections']) {
      const res = await callApi(target, page === undefined ? 'audit-failure-detection' : apiPath('audit-failure-detection', page));
      if (json) printJson(res.body);
      else {
        const rows = (res.body as RecoveryJson[]).map((d) => [String(d.Id), d.UID, d.AnalysisEntry.ClusterDetails.ClusterName, keyText(d.AnalysisEntry.AnalyzedInstanceKey), d.AnalysisEntry.Analysis, d.RecoveryStartTimestamp, d.IsActive ? 'active' : 'ended']);
        io.out(rows.length === 0 ? 'no failure detections\n' : `${table([['ID', 'UID', 'CLUSTER', 'INSTANCE', 'ANALYSIS', 'DETECTED', 'STATE'], ...rows])}\n`);
      }
      return exitCodes.ok;
    }
    if (values['blocked']) {
      const res = await callApi(target, cluster === undefined ? 'blocked-recoveries' : apiPath('blocked-recoveries', 'cluster', cluster));
      if (json) printJson(res.body);
      else {
        type Blocked = { ClusterName: string; FailedInstanceKey: { Hostname: string; Port: number }; Analysis: string; Reason: string; BlockingRecoveryUID: string; LastBlockedTimestamp: string; TimesBlocked: number };
        const rows = (res.body as Blocked[]).map((b) => [b.ClusterName, keyText(b.FailedInstanceKey), b.Analysis, b.Reason, b.BlockingRecoveryUID || '-', b.LastBlockedTimestamp, String(b.TimesBlocked)]);
        io.out(rows.length === 0 ? 'no blocked recoveries\n' : `${table([['CLUSTER', 'INSTANCE', 'ANALYSIS', 'REASON', 'BLOCKED BY', 'LAST', 'TIMES'], ...rows])}\n`);
      }
      return exitCodes.ok;
    }
    const parts = cluster === undefined ? ['audit-recovery', ...(page === undefined ? [] : [page])] : ['audit-recovery', 'cluster', cluster, ...(page === undefined ? [] : [page])];
    const res = await callApi(target, apiPath(...parts), { query: { unacknowledged: values['unacknowledged'] ? 'true' : undefined } });
    if (json) printJson(res.body);
    else io.out(`${recoveryTable(res.body as RecoveryJson[])}\n`);
    return exitCodes.ok;
  },
});

function recoveryTable(rows: RecoveryJson[]): string {
  if (rows.length === 0) return 'no recoveries';
  const result = (r: RecoveryJson) => (r.IsActive ? 'running' : r.Outcome || (r.IsSuccessful ? 'successful' : 'failed'));
  return table([
    ['ID', 'UID', 'CLUSTER', 'FAILED', 'ANALYSIS', 'PROMOTED', 'RESULT', 'STARTED', 'ACK'],
    ...rows.map((r) => [String(r.Id), r.UID, r.AnalysisEntry.ClusterDetails.ClusterName, keyText(r.AnalysisEntry.AnalyzedInstanceKey), r.AnalysisEntry.Analysis, keyText(r.SuccessorKey), result(r), r.RecoveryStartTimestamp, r.Acknowledged ? 'yes' : 'no']),
  ]);
}
