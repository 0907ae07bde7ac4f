/**
 * What one `summary` recovery event becomes: a Slack message (incoming-webhook body, `text` and
 * Block Kit `blocks`) and a PagerDuty Events API v2 event. Pure: the consumer posts what this returns.
 *
 *   outcome         PagerDuty                                   why
 *   successful      trigger, info (warning: lost replicas,      a failover happened: an operator acknowledges
 *                   error: transactions lost or not yet known)  it (Baton keeps its recovery block until then)
 *   failed          trigger, critical (error when retried)      the cluster may have no writable primary
 *   not-needed      resolve                                     the problem went away before anything was done
 *   skipped         resolve                                     it turned into another problem, handled on its own
 *   not-attempted   none (Slack only)                           another recovery of the cluster runs: its summary follows
 *
 * dedup_key is `baton/<cluster>/<detection uid>` (the recovery uid without one): a clean failure and
 * its retries — each a recovery of its own, of the same detection — update one incident.
 */
import type { RecoveryEventOf, RecoverySummary } from '@baton/contracts';

export type SummaryEvent = RecoveryEventOf<'summary'>;

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    custom_details: Record<string, unknown>;
  };
}

const seconds = (ms: number | null): string => (ms === null ? '?' : `${(ms / 1000).toFixed(2)} s`);

/** One line: what happened, for Slack's `text` and PagerDuty's `summary`. */
export function headline(event: SummaryEvent): string {
  const d = event.details;
  const cluster = d.clusterAlias || event.clusterId;
  const what = `${d.analysisCode} on ${d.failed}`;
  switch (d.outcome) {
    case 'successful':
      return `Baton failed over ${cluster}: ${what}, ${d.successor ?? '?'} promoted`;
    case 'failed':
      return `Baton could not fail over ${cluster}: ${what}, nobody promoted${d.successor ? ` (${d.successor} promoted, but the recovery did not complete)` : ''}${d.retried ? '; retrying' : ''}`;
    case 'not-needed':
      return `Baton did not fail over ${cluster}: ${what} was gone on its own probes`;
    case 'skipped':
      return `Baton did not fail over ${cluster}: ${what} turned into another problem`;
    case 'not-attempted':
      return `Baton did not fail over ${cluster}: ${what}, another recovery holds the cluster`;
  }
}

/** Transactions the successor lacks, as a sentence ("none", "3", "unknown until db1:3306 answers"). */
export function lostTransactionsText(d: RecoverySummary): string {
  const t = d.lostTransactions;
  if (!t) return 'none (nobody promoted)';
  const pending = t.report.pending.length > 0 ? `; not examined yet: ${t.report.pending.join(', ')}` : '';
  if (t.report.entries.length === 0) return `none known${pending}`;
  return `${t.count ?? 'an unknown number'} (${t.report.entries.map((e) => `${e.member} had ${e.missing}`).join('; ')})${pending}`;
}

export function slackMessage(event: SummaryEvent): SlackMessage {
  const d = event.details;
  const text = headline(event);
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });
  const lost = d.lostReplicas.length === 0 ? 'none' : d.lostReplicas.map((l) => `${l.instance} (${l.kind}: ${l.reason})`).join('\n');
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${d.outcome === 'successful' ? 'Failover' : 'Recovery'} ${d.outcome}: ${d.clusterAlias || event.clusterId}` } },
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'section',
        fields: [
          field('Cluster', event.clusterId),
          field('Failed', `${d.failed} (${d.analysisCode})`),
          field('Successor', d.successor ?? 'none'),
          field('Outcome', d.outcome),
          field('Lost replicas', lost),
          field('Lost transactions', lostTransactionsText(d)),
          field('Detection → claim → promoted → resolved', `${seconds(d.phases.detectionToClaimMs)} → ${seconds(d.phases.claimToPromotedMs)} → ${seconds(d.phases.promotedToResolvedMs)} (total ${seconds(d.phases.totalMs)})`),
          field('Fencing', d.fencing ?? 'not attempted'),
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `recovery ${event.recoveryUid} · ${d.startedAt} → ${d.endedAt}${d.errors.length > 0 ? ` · ${d.errors.join('; ')}` : ''}` }] },
    ],
  };
}

function severityOf(d: RecoverySummary): PagerDutyEvent['payload']['severity'] {
  if (d.outcome === 'failed') return d.retried ? 'error' : 'critical';
  const t = d.lostTransactions;
  if (t && (t.report.entries.length > 0 || !t.complete)) return 'error';
  return d.lostReplicas.length > 0 ? 'warning' : 'info';
}

/** The PagerDuty event for a summary; null when the outcome calls for none (not-attempted). */
export function pagerDutyEvent(event: SummaryEvent, routingKey: string): PagerDutyEvent | null {
  const d = event.details;
  if (d.outcome === 'not-attempted') return null;
  const action = d.outcome === 'not-needed' || d.outcome === 'skipped' ? 'resolve' : 'trigger';
  return {
    routing_key: routingKey,
    event_action: action,
    dedup_key: `baton/${event.clusterId}/${d.detectionUid ?? event.recoveryUid}`,
    payload: {
      summary: headline(event),
      source: d.failed,
      severity: severityOf(d),
      custom_details: {
        cluster: event.clusterId,
        clusterAlias: d.clusterAlias,
        failed: d.failed,
        analysisCode: d.analysisCode,
        successor: d.successor,
        outcome: d.outcome,
        recoveryUid: event.recoveryUid,
        lostReplicas: d.lostReplicas,
        lostTransactions: lostTransactionsText(d),
        phases: d.phases,
        startedAt: d.startedAt,
        endedAt: d.endedAt,
        errors: d.errors,
      },
    },
  };
}
