import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCandidateValue, formatDowntimeValue, parseCandidateValue, parseDowntimeValue } from '../src/annotation-values.ts';

const now = new Date('2026-01-01T00:00:00.000Z');

test('candidate values: JSON round trip, bare rule, absent and bad values read as neutral', () => {
  assert.deepEqual(parseCandidateValue(formatCandidateValue({ promotionRule: 'must_not' })), { promotionRule: 'must_not' });
  assert.deepEqual(parseCandidateValue('prefer'), { promotionRule: 'prefer' });
  assert.deepEqual(parseCandidateValue(null), { promotionRule: 'neutral' });
  for (const bad of ['{"promotionRule":"always"}', 'nope', '{"rule":"prefer"}', '[]']) {
    const parsed = parseCandidateValue(bad);
    assert.equal(parsed.promotionRule, 'neutral', bad);
    assert.ok(parsed.problem, bad);
  }
});

test('downtime values: JSON round trip, open-ended, over, and bad values', () => {
  const value = { owner: 'ops', reason: 'upgrade', endsAt: '2026-01-01T01:00:00.000Z' };
  assert.deepEqual(parseDowntimeValue(formatDowntimeValue(value), now), { downtime: value });
  assert.deepEqual(parseDowntimeValue(formatDowntimeValue({ ...value, endsAt: null }), now), { downtime: { ...value, endsAt: null } });
  assert.deepEqual(parseDowntimeValue(formatDowntimeValue({ ...value, endsAt: '2025-12-31T23:59:59.000Z' }), now), { downtime: null });
  assert.deepEqual(parseDowntimeValue(null, now), { downtime: null });
  for (const bad of ['x', '{"owner":"ops"}', '{"owner":"ops","reason":"r","endsAt":"soon"}']) {
    const parsed = parseDowntimeValue(bad, now);
    assert.equal(parsed.downtime, null, bad);
    assert.ok(parsed.problem, bad);
  }
});
