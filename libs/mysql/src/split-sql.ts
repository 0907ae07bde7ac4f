/**
 * Splits a migration file into statements at `;` outside quotes and comments, so migrations run
 * without enabling multipleStatements on any connection. Handles '...', "...", `...`, backslash
 * escapes, -- and # line comments and block comments. No DELIMITER support (no stored programs in
 * migrations).
 */
export function splitSql(text: string): string[] {
  const statements: string[] = [];
  let current = '';
  let meaningful = false;
  let i = 0;
  const push = () => {
    if (meaningful) statements.push(current.trim());
    current = '';
    meaningful = false;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === '-' && next === '-' && /[\s]/.test(text[i + 2] ?? '\n')) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (ch === '#') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      if (text[i + 2] === '!') {
        current += text.slice(i, stop);
        meaningful = true;
      }
      i = stop;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === '\\' && ch !== '`') j += 2;
        else if (text[j] === ch && text[j + 1] === ch) j += 2;
        else if (text[j] === ch) break;
        else j += 1;
      }
      current += text.slice(i, j + 1);
      meaningful = true;
      i = j + 1;
      continue;
    }
    if (ch === ';') {
      push();
      i += 1;
      continue;
    }
    current += ch;
    if (!/\s/.test(ch)) meaningful = true;
    i += 1;
  }
  push();
  return statements;
}
