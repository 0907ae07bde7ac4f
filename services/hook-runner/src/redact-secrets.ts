/**
 * Secret values kept out of what a hook printed. Hooks never inherit the runner's secret variables
 * (hook-env.ts), but a hook can still print a secret it got some other way (a file, its own
 * config); the values of those variables are replaced by `[redacted]` in the captured output
 * before it is bounded, published on baton.hook-results and audited by the executor.
 *
 * Output arrives in chunks that may split a secret anywhere, so the redactor holds back the last
 * (longest secret − 1) bytes of each stream until the next chunk or the end: every occurrence is
 * whole by the time it is scanned.
 */
import { isSecretName } from './hook-env.ts';

export const redactedMarker = '[redacted]';

/** Shorter values are not redacted (a one-letter "secret" would blank every such letter). */
export const minSecretLength = 4;
/** Flag-like values of secret-looking names (`…_TOKEN_ENABLED=true`) that are not secrets. */
const notSecrets = new Set(['true', 'false', 'yes', 'no', 'null', 'none', 'on', 'off']);

/**
 * The values to redact: those of inherited variables the runner drops as secrets, and the password
 * inside a secret URL (`redis://:pw@host` prints as the password alone too).
 */
export function secretValues(inherited: Readonly<Record<string, string | undefined>>): string[] {
  const values = new Set<string>();
  const add = (value: string): void => {
    if (value.length >= minSecretLength && !notSecrets.has(value.toLowerCase())) values.add(value);
  };
  for (const [name, value] of Object.entries(inherited)) {
    if (value === undefined || !isSecretName(name)) continue;
    add(value);
    const password = urlPassword(value);
    if (password !== undefined) add(password);
  }
  // longest first: a secret that contains another is replaced whole
  return [...values].sort((a, b) => b.length - a.length);
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const password = new URL(value).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

function replaceAll(data: Buffer, secrets: readonly Buffer[], marker: Buffer): Buffer {
  let out = data;
  for (const secret of secrets) {
    let at = out.indexOf(secret);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(out.subarray(from, at), marker);
      from = at + secret.length;
      at = out.indexOf(secret, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}

/** Redacts one stream, chunk by chunk: `push` returns what is safe to keep now, `end` the rest. */
export class SecretRedactor {
  private readonly secrets: Buffer[];
  private readonly holdBytes: number;
  private readonly marker = Buffer.from(redactedMarker);
  private held: Buffer = Buffer.alloc(0);

  constructor(secrets: readonly string[]) {
    this.secrets = secrets.filter((s) => s.length > 0).map((s) => Buffer.from(s)).sort((a, b) => b.length - a.length);
    this.holdBytes = Math.max(0, (this.secrets[0]?.length ?? 1) - 1);
  }

  push(chunk: Buffer): Buffer {
    if (this.secrets.length === 0) return chunk;
    const data = replaceAll(this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk, this.secrets, this.marker);
    // an occurrence not yet whole starts within the last holdBytes bytes
    const cut = Math.max(0, data.length - this.holdBytes);
    this.held = Buffer.from(data.subarray(cut));
    return data.subarray(0, cut);
  }

  end(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }
}

/** A whole text at once (a webhook's response body). */
export function redactText(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0 || text === '') return text;
  const redactor = new SecretRedactor(secrets);
  return Buffer.concat([redactor.push(Buffer.from(text)), redactor.end()]).toString('utf8');
}
