/**
 * Data center, region and physical environment of an instance (orchestrator's
 * DataCenterPattern/DetectDataCenterQuery and friends). For each of the three:
 *   1. the configured query's answer (first column of the first row), when a query is configured
 *      and has answered at least once — the query wins over the pattern;
 *   2. else the pattern's first capture group applied to the instance's host name;
 *   3. else ''.
 * Patterns are JavaScript regular expressions (orchestrator's Go RE2 patterns with one capture
 * group read the same in practice).
 */
import { pick, text, type RowLike } from './row-values.ts';

export interface LocationSettings {
  dataCenterPattern?: string;
  regionPattern?: string;
  physicalEnvironmentPattern?: string;
  detectDataCenterQuery?: string;
  detectRegionQuery?: string;
  detectPhysicalEnvironmentQuery?: string;
}

export const locationFields = ['dataCenter', 'region', 'physicalEnvironment'] as const;
export type LocationField = (typeof locationFields)[number];
export type Location = Record<LocationField, string>;
/** Answers of the detect queries; a field is absent until its query answered. */
export type DetectedLocation = Partial<Location>;

export interface CompiledLocation {
  patterns: Record<LocationField, RegExp | null>;
  queries: Partial<Record<LocationField, string>>;
}

function compile(field: LocationField, source: string | undefined): RegExp | null {
  if (!source) return null;
  try {
    return new RegExp(source);
  } catch (error) {
    throw new RangeError(`invalid ${field} pattern ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
}

/** Throws RangeError on an invalid pattern (at construction, not at every probe). */
export function compileLocation(settings: LocationSettings = {}): CompiledLocation {
  const queries: Partial<Record<LocationField, string>> = {};
  if (settings.detectDataCenterQuery?.trim()) queries.dataCenter = settings.detectDataCenterQuery;
  if (settings.detectRegionQuery?.trim()) queries.region = settings.detectRegionQuery;
  if (settings.detectPhysicalEnvironmentQuery?.trim()) queries.physicalEnvironment = settings.detectPhysicalEnvironmentQuery;
  return {
    patterns: {
      dataCenter: compile('dataCenter', settings.dataCenterPattern),
      region: compile('region', settings.regionPattern),
      physicalEnvironment: compile('physicalEnvironment', settings.physicalEnvironmentPattern),
    },
    queries,
  };
}

/** The first capture group of `pattern` in `host` ('' when it does not match or has no group). */
export function matchPattern(pattern: RegExp | null, host: string): string {
  if (!pattern) return '';
  const match = pattern.exec(host);
  return match?.[1] ?? '';
}

/** The first column of the first row of a detect query ('' for no row or NULL). */
export function firstColumn(rows: readonly RowLike[]): string {
  const row = rows[0];
  if (!row) return '';
  const [first] = Object.keys(row);
  return first === undefined ? '' : text(pick(row, first)).trim();
}

export function resolveLocation(compiled: CompiledLocation, host: string, detected: DetectedLocation): Location {
  const out = { dataCenter: '', region: '', physicalEnvironment: '' };
  for (const field of locationFields) {
    const answer = compiled.queries[field] !== undefined ? detected[field] : undefined;
    out[field] = answer ?? matchPattern(compiled.patterns[field], host);
  }
  return out;
}
