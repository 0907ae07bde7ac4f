import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMigrations, splitSql } from '../src/index.ts';

test('splitSql splits at semicolons outside quotes and comments', () => {
  const sql = [
    '-- a comment; with a semicolon',
    "CREATE TABLE a (x VARCHAR(10) DEFAULT 'a;b', y TEXT COMMENT \"it's; fine\");",
    '# another; comment',
    '/* block; comment */ INSERT INTO a VALUES (\'it\'\'s;\', "\\";");',
    'SELECT `we;ird` FROM a',
    ';;',
    '/*!40101 SET NAMES utf8mb4 */;',
  ].join('\n');
  assert.deepEqual(splitSql(sql), [
    "CREATE TABLE a (x VARCHAR(10) DEFAULT 'a;b', y TEXT COMMENT \"it's; fine\")",
    'INSERT INTO a VALUES (\'it\'\'s;\', "\\";")',
    'SELECT `we;ird` FROM a',
    '/*!40101 SET NAMES utf8mb4 */',
  ]);
  assert.deepEqual(splitSql('-- only a comment\n'), []);
  assert.deepEqual(splitSql('SELECT 1--2'), ['SELECT 1--2']);
});

test('the shipped migrations are well named, ordered and non-empty', () => {
  const migrations = loadMigrations();
  assert.ok(migrations.length >= 4);
  migrations.forEach((m, i) => {
    assert.equal(m.version, i + 1, `${m.file} version`);
    assert.ok(m.statements.length > 0);
    assert.match(m.checksum, /^[0-9a-f]{64}$/);
    for (const s of m.statements) assert.doesNotMatch(s, /\bUSE\b|`baton`\./i, `${m.file}: no database names`);
  });
  const tables = migrations.flatMap((m) => m.statements).join('\n');
  for (const table of ['recoveries', 'recovery_steps', 'failure_detections', 'blocked_recoveries', 'global_recovery_switch_history', 'analysis_changelog']) {
    assert.match(tables, new RegExp(`CREATE TABLE IF NOT EXISTS ${table} \\(`), table);
  }
});
