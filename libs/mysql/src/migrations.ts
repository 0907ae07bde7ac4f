/**
 * Migration files: `migrations/NNN_description.sql`, applied in version order, each exactly once.
 * A file is immutable once applied: its SHA-256 is recorded and checked at every start.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatonError } from '@baton/errors';
import { splitSql } from './split-sql.ts';

export interface Migration {
  version: number;
  name: string;
  file: string;
  checksum: string;
  statements: string[];
}

export const defaultMigrationsDir = fileURLToPath(new URL('../migrations/', import.meta.url));

const fileName = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dir: string = defaultMigrationsDir): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = fileName.exec(file);
    if (!match) {
      throw new BatonError('BATON_MIGRATION_INVALID', 'migration file name must be NNN_description.sql (lower case)', { file });
    }
    const text = readFileSync(join(dir, file), 'utf8');
    const statements = splitSql(text);
    if (statements.length === 0) throw new BatonError('BATON_MIGRATION_INVALID', 'migration has no statements', { file });
    migrations.push({
      version: Number(match[1]),
      name: match[2] as string,
      file,
      checksum: createHash('sha256').update(text).digest('hex'),
      statements,
    });
  }
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new BatonError('BATON_MIGRATION_INVALID', 'two migrations share a version', {
        files: [migrations[i - 1]?.file, migrations[i]?.file],
      });
    }
  }
  return migrations;
}
