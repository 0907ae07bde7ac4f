/** sourceSilence: how long nothing arrived from a replica's source, as successive readings bound it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicationState, type ReplicationState } from '@baton/contracts';
import { extendedSourceSilence, sourceSilence, type SourceProgress } from '../src/probe/index.ts';

const source = { host: 'p1', port: 3306 };
const reading = (over: Partial<ReplicationState> = {}): ReplicationState =>
  replicationState(source, { receivedHeartbeats: 10, heartbeatPeriodSeconds: 0.5, readCoordinates: { file: 'b.000001', pos: 100 }, gtidIoPos: '0-1-5', ...over });

/** Feeds readings at the given times; returns each silence. */
function run(steps: Array<[number, ReplicationState | null]>): Array<number | null> {
  let progress: SourceProgress | null = null;
  return steps.map(([at, r]) => {
    const s = sourceSilence(progress, r, at);
    progress = s.progress;
    return s.silentMs;
  });
}

test('unchanged readings: the silence grows from the first reading that showed them; the first reading is unknown', () => {
  assert.deepEqual(run([[1000, reading()], [1100, reading()], [1600, reading()]]), [null, 100, 600]);
});

test('anything arriving resets it: a heartbeat, an event (received position), received GTIDs', () => {
  assert.deepEqual(run([[0, reading()], [500, reading()], [600, reading({ receivedHeartbeats: 11 })], [900, reading({ receivedHeartbeats: 11 })]]), [null, 500, 0, 300]);
  assert.deepEqual(run([[0, reading()], [400, reading({ readCoordinates: { file: 'b.000001', pos: 200 } })], [450, reading({ readCoordinates: { file: 'b.000001', pos: 200 } })]]), [null, 0, 50]);
  assert.deepEqual(run([[0, reading()], [400, reading({ gtidIoPos: '0-1-6' })]]), [null, 0]);
});

test('no evidence is unknown, never silence: IO thread not running, no heartbeat count, a new source', () => {
  assert.deepEqual(run([[0, reading()], [900, reading({ ioThread: 'Connecting' })], [1000, reading()], [1500, reading()]]), [null, null, null, 500]);
  assert.deepEqual(run([[0, reading({ receivedHeartbeats: null })], [900, reading({ receivedHeartbeats: null })]]), [null, null]);
  assert.deepEqual(run([[0, reading()], [900, reading({ sourceHost: 'p2' })], [1000, reading({ sourceHost: 'p2' })]]), [null, null, 100]);
  assert.deepEqual(run([[0, reading()], [900, null], [1000, reading()]]), [null, null, null]);
});

test('extendedSourceSilence: a later one-off reading extends the detector\'s silence when nothing changed, else 0', () => {
  const before = reading({ sourceSilentMs: 800 });
  assert.equal(extendedSourceSilence(before, 10_000, reading(), 10_300), 1100, 'unchanged: 800 + 300');
  assert.equal(extendedSourceSilence(before, 10_000, reading({ receivedHeartbeats: 11 }), 10_300), 0, 'a heartbeat arrived: alive');
  assert.equal(extendedSourceSilence(before, 10_000, reading({ gtidIoPos: '0-1-6' }), 10_300), 0, 'an event arrived');
  assert.equal(extendedSourceSilence(reading({ sourceSilentMs: null }), 10_000, reading(), 10_300), null, 'no earlier silence: unknown');
  assert.equal(extendedSourceSilence(null, 10_000, reading(), 10_300), null);
  assert.equal(extendedSourceSilence(before, Number.NaN, reading(), 10_300), null, 'earlier reading never seen');
  assert.equal(extendedSourceSilence(before, 10_000, reading({ ioThread: 'Connecting' }), 10_300), null, 'the IO thread says so itself');
  assert.equal(extendedSourceSilence(before, 10_000, reading({ receivedHeartbeats: null }), 10_300), null);
});
