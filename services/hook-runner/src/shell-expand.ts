/**
 * Orchestrator-style `{placeholder}` text in a shell hook, without orchestrator's injection (W1).
 *
 * A value's bytes never become shell source. Each placeholder is replaced by a quoted reference to
 * the BATON_* environment variable that holds the value, written for the quoting context the
 * placeholder sits in:
 *
 *   unquoted            printf %s {failedHost}      →  printf %s "${BATON_FAILED_HOST}"
 *   "double quotes"     "host {failedHost}"         →  "host ${BATON_FAILED_HOST}"
 *   'single quotes'     'host {failedHost}'         →  'host '"${BATON_FAILED_HOST}"''
 *   $'ansi-c quotes'    $'host {failedHost}'        →  $'host '"${BATON_FAILED_HOST}"$''
 *   here-document       <<EOF … {failedHost} … EOF  →  … ${BATON_FAILED_HOST} …
 *
 * The shell expands a quoted parameter exactly once and never re-parses the result, so the hook
 * gets the exact value (quotes, `$(…)`, backticks, `;`, newlines and all) and nothing in it runs.
 * The context only decides whether the value arrives exactly: should this small lexer misjudge a
 * context, the inserted text is still a plain variable reference (at worst left unexpanded or
 * word-split), never the value as code. Inside a quoted here-document (<<'EOF') the shell expands
 * nothing, so the reference stays literal text and the expansion warns.
 *
 * A placeholder with no value expands to the empty string (the variable is set to ''). A `{name}`
 * that is neither a placeholder nor a request value is left as written, with a warning: it is the
 * operator's own text, such as awk '{print}', not a value. `${NAME}` is always the shell's own.
 * Values nested into a second interpreter by the hook itself (ssh host "cmd {x}", bash -c, eval)
 * are parsed again there; use argv entries or the environment variables for those.
 */
import { placeholderPattern, type HookValues } from './placeholders.ts';

type Context = 'plain' | 'double' | 'single' | 'ansi' | 'comment' | 'heredoc';

interface Frame {
  context: Context;
  /** plain frames opened by `$(` count parentheses; backtick frames close on a backtick. */
  closer?: 'paren' | 'backtick';
  depth?: number;
  /** heredoc frames. */
  delimiter?: string;
  stripTabs?: boolean;
  quoted?: boolean;
}

interface PendingHeredoc {
  delimiter: string;
  stripTabs: boolean;
  quoted: boolean;
}

export interface ShellExpansion {
  script: string;
  warnings: string[];
}

const wordBreak = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** The text that stands for a placeholder's value in `context`. */
function reference(envName: string, context: Context): string {
  switch (context) {
    case 'double':
      return `\${${envName}}`;
    case 'single':
      return `'"\${${envName}}"'`;
    case 'ansi':
      return `'"\${${envName}}"$'`;
    case 'heredoc':
      return `\${${envName}}`;
    default:
      return `"\${${envName}}"`;
  }
}

/** Reads a here-document operator's delimiter word starting at `i`; returns it and the end index. */
function readDelimiter(text: string, start: number): { word: string; quoted: boolean; end: number } {
  let i = start;
  while (text[i] === ' ' || text[i] === '\t') i += 1;
  let word = '';
  let quoted = false;
  while (i < text.length && !wordBreak.has(text[i] as string)) {
    const c = text[i] as string;
    if (c === "'" || c === '"') {
      quoted = true;
      const close = text.indexOf(c, i + 1);
      const end = close === -1 ? text.length : close;
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '\\') {
      quoted = true;
      word += text[i + 1] ?? '';
      i += 2;
    } else {
      word += c;
      i += 1;
    }
  }
  return { word, quoted, end: i };
}

/**
 * Rewrites `command` for `<shell> -c`. `values.lookup` names the variable of each known
 * placeholder; the caller puts those variables into the hook's environment.
 */
export function expandShellCommand(command: string, values: Pick<HookValues, 'lookup'>): ShellExpansion {
  const warnings: string[] = [];
  const stack: Frame[] = [{ context: 'plain' }];
  const pending: PendingHeredoc[] = [];
  let out = '';
  let i = 0;
  const top = (): Frame => stack[stack.length - 1] as Frame;

  const placeholderAt = (at: number): { length: number; replacement: string } | undefined => {
    if (command[at] !== '{' || command[at - 1] === '$') return undefined;
    const match = new RegExp(placeholderPattern.source, 'y');
    match.lastIndex = at;
    const found = match.exec(command);
    if (!found) return undefined;
    const [text, name] = found as unknown as [string, string];
    const resolved = values.lookup(name);
    if (!resolved) {
      warnings.push(`unknown placeholder ${text} left as written`);
      return { length: text.length, replacement: text };
    }
    const frame = top();
    if (frame.context === 'heredoc' && frame.quoted) {
      warnings.push(`placeholder ${text} sits in a quoted here-document, which expands nothing; it stays \${${resolved.envName}}`);
    }
    return { length: text.length, replacement: reference(resolved.envName, frame.context) };
  };

  /** At a newline outside quotes: start the here-documents opened on this line. */
  const startHeredocs = (): void => {
    const next = pending.shift();
    if (next) stack.push({ context: 'heredoc', delimiter: next.delimiter, stripTabs: next.stripTabs, quoted: next.quoted });
  };

  while (i < command.length) {
    const frame = top();
    const c = command[i] as string;
    const placeholder = c === '{' && frame.context !== 'heredoc' ? placeholderAt(i) : undefined;
    if (placeholder) {
      out += placeholder.replacement;
      i += placeholder.length;
      continue;
    }
    switch (frame.context) {
      case 'heredoc': {
        // i is at the start of a body line
        // at the start of a body line: is it the delimiter line?
        const lineEnd = command.indexOf('\n', i);
        const line = command.slice(i, lineEnd === -1 ? command.length : lineEnd);
        if ((frame.stripTabs ? line.replace(/^\t+/, '') : line) === frame.delimiter) {
          out += line;
          i += line.length;
          stack.pop();
          if (lineEnd !== -1) {
            out += '\n';
            i += 1;
            startHeredocs();
          }
          continue;
        }
        // copy the line, expanding placeholders in it
        const stop = lineEnd === -1 ? command.length : lineEnd + 1;
        while (i < stop) {
          const p = command[i] === '{' ? placeholderAt(i) : undefined;
          if (p) {
            out += p.replacement;
            i += p.length;
          } else {
            out += command[i];
            i += 1;
          }
        }
        continue;
      }
      case 'single':
        if (c === "'") stack.pop();
        out += c;
        i += 1;
        continue;
      case 'comment':
        if (c === '\n') {
          stack.pop();
          out += c;
          i += 1;
          if (top().context === 'plain') startHeredocs();
          continue;
        }
        out += c;
        i += 1;
        continue;
      case 'ansi':
        if (c === '\\') {
          out += command.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (c === "'") stack.pop();
        out += c;
        i += 1;
        continue;
      case 'double':
        if (c === '\\') {
          out += command.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (c === '"') stack.pop();
        else if (c === '$' && command[i + 1] === '(') {
          stack.push({ context: 'plain', closer: 'paren', depth: 1 });
          out += '$(';
          i += 2;
          continue;
        } else if (c === '`') stack.push({ context: 'plain', closer: 'backtick' });
        out += c;
        i += 1;
        continue;
      case 'plain': {
        if (c === '\\') {
          out += command.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (c === "'") stack.push({ context: 'single' });
        else if (c === '"') stack.push({ context: 'double' });
        else if (c === '$' && command[i + 1] === "'") {
          stack.push({ context: 'ansi' });
          out += "$'";
          i += 2;
          continue;
        } else if (c === '$' && command[i + 1] === '(') {
          stack.push({ context: 'plain', closer: 'paren', depth: 1 });
          out += '$(';
          i += 2;
          continue;
        } else if (c === '`') {
          if (frame.closer === 'backtick') stack.pop();
          else stack.push({ context: 'plain', closer: 'backtick' });
        } else if (c === '(' && frame.closer === 'paren') frame.depth = (frame.depth ?? 1) + 1;
        else if (c === ')' && frame.closer === 'paren') {
          frame.depth = (frame.depth ?? 1) - 1;
          if (frame.depth === 0) stack.pop();
        } else if (c === '#' && (i === 0 || wordBreak.has(command[i - 1] as string))) stack.push({ context: 'comment' });
        else if (c === '<' && command[i + 1] === '<' && command[i + 2] !== '<') {
          const stripTabs = command[i + 2] === '-';
          const from = i + (stripTabs ? 3 : 2);
          const { word, quoted, end } = readDelimiter(command, from);
          if (word !== '') pending.push({ delimiter: word, stripTabs, quoted });
          out += command.slice(i, end);
          i = end;
          continue;
        } else if (c === '\n') {
          out += c;
          i += 1;
          startHeredocs();
          continue;
        }
        out += c;
        i += 1;
        continue;
      }
    }
  }
  return { script: out, warnings: [...new Set(warnings)] };
}
