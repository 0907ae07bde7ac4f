/**
 * A copy of the configuration that is safe to log at start-up: passwords, tokens and secrets are
 * replaced, URLs lose their credentials, a DSN loses its password, webhook URLs keep only their
 * origin (services like Slack put the secret in the path) and header values are hidden.
 */
import { redactUrl } from '@baton/logging';
import type { BatonConfig } from './schema/root.ts';
import { secretKeyPattern } from './schema/primitives.ts';

export const redacted = '[redacted]';

function webhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && !parsed.search ? parsed.origin : `${parsed.origin}/${redacted}`;
  } catch {
    return redacted;
  }
}

function redact(value: unknown, key: string, parentKey: string): unknown {
  // items of a secret list (previousSigningSecrets) are secrets; other items keep their parent's context
  if (Array.isArray(value)) return value.map((item) => (secretKeyPattern.test(key) ? redact(item, key, parentKey) : redact(item, '', key)));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [childKey, child] of Object.entries(value)) {
      out[childKey] = key === 'headers' ? redacted : redact(child, childKey, key);
    }
    return out;
  }
  if (typeof value !== 'string' || value === '') return value;
  if (secretKeyPattern.test(key)) return redacted;
  if (key === 'url' && parentKey === 'webhook') return webhookUrl(value);
  if (key === 'url' || key === 'dsn') return redactUrl(value);
  return value;
}

export function describeConfig(config: BatonConfig): Record<string, unknown> {
  return redact(config, '', '') as Record<string, unknown>;
}
