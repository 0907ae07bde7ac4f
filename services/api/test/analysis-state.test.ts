/**
 * GET /api/analysis-state/:clusterHint and `baton analysis-state CLUSTER`: the cached snapshot with
 * the memory the analyzer cached with it, as an analysis state document that `baton analyze`
 * reads back; 503 without a memory of that snapshot, 404 for an unknown cluster. The Redis round
 * trip is analysis-state.int.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisStateKind, pairCachedAnalysisMemory, type AnalysisMemory, type AnalysisStateDocument } from '@baton/domain';
import { main, type CliIo } from '@baton/cli';
import { harness, ordersSnapshot, TOKEN } from './harness.ts';

const memory: AnalysisMemory = { staleCoordinates: { 'db1:3306': { coordinates: { file: 'mysql-bin.000001', pos: 1680 }, firstSeenAt: '2026-11-26T19:29:00.000Z' } } };

async function cli(argv: string[], env: Record<string, string>, input = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), readFile: () => input, env };
  return { code: await main(argv, io), out, err };
}

test('analysis-state/:hint answers the snapshot with the analyzer memory cached with it', async (t) => {
  const h = await harness(t);
  h.state.memories.set('orders', memory);
  for (const hint of ['orders', 'db2:3306']) {
    const r = await h.get(`/api/analysis-state/${hint}`, { token: null });
    assert.equal(r.status, 200, hint);
    assert.equal(r.body.Code, 'OK');
    const doc = r.body.Details as AnalysisStateDocument;
    assert.deepEqual(doc, { kind: analysisStateKind, version: 1, snapshot: ordersSnapshot(), memory });
  }
});

test('analysis-state: 503 without a memory of the snapshot, 503 without a snapshot, 404 for an unknown cluster', async (t) => {
  const h = await harness(t);
  const none = await h.get('/api/analysis-state/orders');
  assert.equal(none.status, 503);
  assert.match(String(none.body.Message), /No analyzer memory is cached with the snapshot of cluster orders/);
  const noSnapshot = await h.get('/api/analysis-state/10.0.0.5:3306');
  assert.equal(noSnapshot.status, 503);
  assert.match(String(noSnapshot.body.Message), /No current snapshot of cluster 10\.0\.0\.5:3306/);
  assert.equal((await h.get('/api/analysis-state/nosuch')).status, 404);
});

test('baton analysis-state CLUSTER prints the document; baton analyze reads it back', async (t) => {
  const h = await harness(t);
  h.state.memories.set('orders', memory);
  const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => h.app.close());
  const env = { BATON_API_URL: url, BATON_API_TOKEN: TOKEN, USER: 'tester' };
  const saved = await cli(['analysis-state', 'orders'], env);
  assert.equal(saved.code, 0, saved.err);
  const doc = JSON.parse(saved.out) as AnalysisStateDocument;
  assert.deepEqual(doc.memory, memory);
  assert.equal(doc.snapshot.clusterId, 'orders');
  const analysed = await cli(['analyze', '-', '--include-no-problem'], {}, saved.out);
  assert.equal(analysed.code, 0, analysed.err);
  assert.equal(analysed.out, 'db1:3306 (cluster orders): NoProblem\n');
  const missing = await cli(['analysis-state', 'nosuch'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /baton analysis-state: /);
});

test('pairCachedAnalysisMemory: only a valid memory written with this very snapshot', () => {
  const snapshot = ordersSnapshot();
  const of = { detectorId: snapshot.detectorId, sequence: snapshot.sequence, observedAt: snapshot.observedAt };
  const table: Array<[string | null, AnalysisMemory | null]> = [
    [JSON.stringify({ snapshot: of, memory }), memory],
    [JSON.stringify({ snapshot: of, memory: {} }), { staleCoordinates: {} }],
    [JSON.stringify({ snapshot: { ...of, sequence: of.sequence + 1 }, memory }), null],
    [JSON.stringify({ snapshot: { ...of, detectorId: 'other' }, memory }), null],
    [JSON.stringify({ snapshot: of, memory: { staleCoordinates: { 'db1:3306': { coordinates: {} } } } }), null],
    ['{oops', null],
    [null, null],
  ];
  for (const [raw, expected] of table) assert.deepEqual(pairCachedAnalysisMemory(snapshot, raw), expected, String(raw));
});
