// Each outcome of a summary event → its Slack text and its PagerDuty action and severity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecoverySummary } from '@baton/contracts';
import { pagerDutyEvent, slackMessage, type SummaryEvent } from '../src/alerts.ts';

const details: RecoverySummary = {
  clusterAlias: 'main',
  failed: 'db1:3306',
  analysisCode: 'DeadMaster',
  successor: 'db2:3306',
  outcome: 'successful',
  lostReplicas: [],
  lostTransactions: { count: 0, complete: true, report: { flavour: 'mariadb', base: '0-1-10', oldPrimary: 'db1:3306', entries: [], pending: [], clean: ['db1:3306'] } },
  phases: { detectionToClaimMs: 20, claimToPromotedMs: 100, promotedToResolvedMs: 30, totalMs: 150 },
  startedAt: '2026-11-26T19:30:00.000Z',
  endedAt: '2026-11-26T19:30:00.150Z',
  detectionUid: 'det-1',
  forced: false,
  commandHint: '',
  takeover: false,
  retried: false,
  blockReleased: false,
  fencing: 'unreachable',
  oldPrimaryNotMoved: null,
  errors: [],
};
const event = (d: Partial<RecoverySummary>): SummaryEvent =>
  ({ recoveryUid: 'r-1', clusterId: 'c1', sequence: 20, at: '2026-11-26T19:30:00.150Z', step: 'summary', status: 'succeeded', message: '', details: { ...details, ...d } }) as SummaryEvent;

const cases: Array<{ name: string; d: Partial<RecoverySummary>; action: string | null; severity?: string; text: RegExp }> = [
  { name: 'successful, nothing lost', d: {}, action: 'trigger', severity: 'info', text: /failed over main: DeadMaster on db1:3306, db2:3306 promoted/ },
  { name: 'successful, a replica lost', d: { lostReplicas: [{ instance: 'db4:3306', kind: 'move-failed', reason: 'x' }] }, action: 'trigger', severity: 'warning', text: /db2:3306 promoted/ },
  { name: 'successful, loss not known yet', d: { lostTransactions: { ...details.lostTransactions!, complete: false, report: { ...details.lostTransactions!.report, pending: ['db1:3306'] } } }, action: 'trigger', severity: 'error', text: /promoted/ },
  { name: 'failed', d: { outcome: 'failed', successor: null, lostTransactions: null }, action: 'trigger', severity: 'critical', text: /could not fail over main.*nobody promoted/ },
  { name: 'failed, retried', d: { outcome: 'failed', successor: null, retried: true }, action: 'trigger', severity: 'error', text: /retrying/ },
  { name: 'not needed', d: { outcome: 'not-needed', successor: null }, action: 'resolve', text: /was gone/ },
  { name: 'skipped', d: { outcome: 'skipped', successor: null }, action: 'resolve', text: /another problem/ },
  { name: 'not attempted', d: { outcome: 'not-attempted', successor: null }, action: null, text: /another recovery/ },
];

for (const c of cases) {
  test(`alerts for a summary: ${c.name}`, () => {
    const e = event(c.d);
    const slack = slackMessage(e);
    assert.match(slack.text, c.text);
    assert.equal(slack.blocks[0]?.['type'], 'header');
    const pd = pagerDutyEvent(e, 'rk');
    assert.equal(pd?.event_action ?? null, c.action);
    if (pd) {
      assert.equal(pd.routing_key, 'rk');
      assert.equal(pd.dedup_key, 'baton/c1/det-1', 'retries of one detection share the incident');
      assert.equal(pd.payload.source, 'db1:3306');
      assert.equal(pd.payload.custom_details['successor'], e.details.successor);
      if (c.severity) assert.equal(pd.payload.severity, c.severity);
    }
  });
}
