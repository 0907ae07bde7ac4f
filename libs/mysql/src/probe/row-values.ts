/**
 * Reading loosely typed server rows. mysql2 returns numbers for integer columns and strings for
 * everything else; SHOW VARIABLES / SHOW STATUS return every value as a string ('ON', '1', '').
 * MySQL 8.0.22+ renamed many replication columns (Master_Host → Source_Host, Slave_IO_Running →
 * Replica_IO_Running): `pick` takes the column under any of its names.
 */

export type RowLike = Readonly<Record<string, unknown>>;

/** The first of `names` present in the row (not undefined). */
export function pick(row: RowLike, ...names: string[]): unknown {
  for (const name of names) {
    const value = row[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

export function text(value: unknown, fallback = ''): string {
  if (value === null || value === undefined) return fallback;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/** An integer, or null when absent, NULL, empty or not a number. */
export function integerOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number(text(value).trim());
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

export function integer(value: unknown, fallback = 0): number {
  return integerOrNull(value) ?? fallback;
}

/** A non-negative decimal number (heartbeat periods are '1.000'), or null. */
export function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(text(value).trim());
  return Number.isFinite(n) ? n : null;
}

/** Server booleans: ON/OFF, 1/0, YES/NO, TRUE/FALSE; null when absent or anything else. */
export function flagOrNull(value: unknown): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value !== 0;
  switch (text(value).trim().toUpperCase()) {
    case 'ON':
    case '1':
    case 'YES':
    case 'TRUE':
      return true;
    case 'OFF':
    case '0':
    case 'NO':
    case 'FALSE':
      return false;
    default:
      return null;
  }
}

/** SHOW VARIABLES / SHOW STATUS rows → name (lower case) → value. */
export function nameValueMap(rows: readonly RowLike[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of rows) {
    const name = text(pick(row, 'Variable_name', 'VARIABLE_NAME', 'variable_name'));
    if (name) out.set(name.toLowerCase(), text(pick(row, 'Value', 'VARIABLE_VALUE', 'variable_value')));
  }
  return out;
}

/** The value under the first of `names` present in the map. */
export function firstOf(map: ReadonlyMap<string, string>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = map.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}
