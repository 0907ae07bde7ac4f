/**
 * Operator-written regexps (PromotionIgnoreHostnameFilters, RecoverMasterClusterFilters) used the way
 * orchestrator uses them: Go's regexp.MatchString, an unanchored search. Go's leading inline flags
 * `(?i)`, `(?m)`, `(?s)` become JS flags; the rest is taken as a JS pattern (RE2 and JS agree on the
 * common syntax). A pattern JS cannot compile yields null — callers decide what that means.
 */
export function compileSearchPattern(pattern: string): RegExp | null {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    flags = [...new Set(inline[1] as string)].join('');
    source = source.slice(inline[0].length);
  }
  try {
    return new RegExp(source, flags);
  } catch {
    return null;
  }
}

/** An IP literal (v4 dotted quad or v6): PromotionIgnoreHostnameFilters match those exactly, not as regexps. */
export function isIpLiteral(text: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return text.split('.').every((o) => Number(o) <= 255);
  return text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text) && text.split('::').length <= 2;
}
