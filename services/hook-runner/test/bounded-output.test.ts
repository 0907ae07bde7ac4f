import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedOutput } from '../src/bounded-output.ts';

test('output within the bound is kept whole, in arrival order', () => {
  const out = new BoundedOutput(1024);
  out.push('stdout', 'one\n');
  out.push('stderr', 'two\n');
  out.push('stdout', 'three\n');
  assert.deepEqual(out.result(), { output: 'one\ntwo\nthree\n', truncated: false });
});

test('each stream is bounded on its own; the start and the end of an overflowing stream are kept', () => {
  const out = new BoundedOutput(100); // 75 bytes of head, 25 of tail per stream
  out.push('stderr', 'E-start\n');
  for (let i = 0; i < 100; i += 1) out.push('stdout', `line ${String(i).padStart(3, '0')}\n`); // 900 bytes
  out.push('stderr', 'E-end\n');
  const { output, truncated } = out.result();
  assert.equal(truncated, true);
  assert.ok(output.startsWith('E-start\nline 000\n'));
  assert.match(output, /\[\.\.\. 800 bytes of stdout omitted \.\.\.\]\n/);
  assert.ok(output.endsWith('line 098\nline 099\nE-end\n'), output.slice(-60));
  const marker = '\n[... 800 bytes of stdout omitted ...]\n';
  assert.equal(output.length - marker.length - 'E-start\nE-end\n'.length, 100, 'stdout kept exactly its bound');
});

test('a stream just over its head budget loses nothing', () => {
  const out = new BoundedOutput(100);
  const text = 'x'.repeat(90);
  out.push('stdout', text);
  assert.deepEqual(out.result(), { output: text, truncated: false });
});

test('a single chunk far over the bound keeps exactly head + tail bytes', () => {
  const out = new BoundedOutput(1024);
  const data = Buffer.alloc(1_000_000, 'a');
  data.write('HEAD', 0);
  data.write('TAIL', data.length - 4);
  out.push('stdout', data);
  const { output, truncated } = out.result();
  assert.equal(truncated, true);
  assert.ok(output.startsWith('HEAD'));
  assert.ok(output.endsWith('TAIL'));
  const marker = `\n[... ${1_000_000 - 1024} bytes of stdout omitted ...]\n`;
  assert.equal(output.length, 1024 + marker.length);
});
