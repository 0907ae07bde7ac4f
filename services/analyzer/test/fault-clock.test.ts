import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@baton/logging';
import { clockOffsetVariable, faultClockFromEnv } from '../src/fault-clock.ts';

test('unset or empty: inert (the system clock), nothing logged', () => {
  assert.equal(faultClockFromEnv({}), undefined);
  assert.equal(faultClockFromEnv({ [clockOffsetVariable]: '' }), undefined);
});

test('an integer shifts the clock by that many ms, either way, and is logged at warn', () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: 'analyzer', level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  for (const offset of [-30_000, 30_000, 0]) {
    const clock = faultClockFromEnv({ [clockOffsetVariable]: String(offset > 0 ? `+${offset}` : offset) }, logger);
    assert.ok(clock);
    const before = Date.now();
    const shifted = clock().getTime();
    const after = Date.now();
    assert.ok(shifted >= before + offset && shifted <= after + offset, `${offset}: ${shifted - before}`);
  }
  assert.deepEqual(lines.map((l) => [l['level'], l['offsetMs']]), [[40, -30_000], [40, 30_000], [40, 0]]);
});

test('not an integer: refused with the variable named', () => {
  for (const bad of ['30s', '1.5', 'abc', ' 5', '1e3', '99999999999999999999']) {
    assert.throws(() => faultClockFromEnv({ [clockOffsetVariable]: bad }), new RegExp(`${clockOffsetVariable}=.* is not an integer`), bad);
  }
});
