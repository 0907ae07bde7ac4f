/**
 * Every Baton message carries an HMAC-SHA256 signature in the `baton-signature` header, made with
 * the deployment's signing secret over the logical topic, the message key and the exact value
 * bytes. A consumer checks it before it parses anything: a message from someone who can reach the
 * broker but does not hold the secret (an unsigned or forged command, analysis, hook request …)
 * is dead-lettered with the reason and changes nothing.
 *
 * Header: `v1.<key id>.<base64url mac>`. The key id (8 hex digits of a hash of the secret, which
 * reveals nothing useful about it) lets a consumer that accepts several secrets during a
 * rotation pick the right one, and lets a reason say "signed with a secret this process does not
 * hold" rather than just "forged".
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { TopicName } from '@baton/contracts';
import type { KafkaMessage } from 'kafkajs';
import { ConfigError, MessageAuthenticationError } from '@baton/errors';

export const signatureHeader = 'baton-signature';

export interface MessageSigner {
  /** The header value for a message about to be sent. */
  sign(topic: TopicName, key: string | null, value: Buffer): string;
  /** undefined when the signature is valid, else why not. */
  problem(topic: TopicName, key: string | null, value: Buffer, header: string | undefined): string | undefined;
}

export interface SigningSecrets {
  signingSecret?: string | undefined;
  previousSigningSecrets?: readonly string[] | undefined;
}

const keyId = (secret: string): string => createHash('sha256').update(`baton-signing-key:${secret}`).digest('hex').slice(0, 8);

/** Topic, then the key length-prefixed (`-` for none, so null and '' differ), then the bytes. */
function mac(secret: string, topic: TopicName, key: string | null, value: Buffer): Buffer {
  const keyPart = key === null ? '-' : `${Buffer.byteLength(key)}:${key}`;
  return createHmac('sha256', secret).update(`baton/v1\n${topic}\n${keyPart}\n`).update(value).digest();
}

export function createMessageSigner(secrets: { current: string; previous?: readonly string[] }): MessageSigner {
  const current = secrets.current;
  const accepted = new Map<string, string>([current, ...(secrets.previous ?? [])].map((s) => [keyId(s), s]));
  const currentId = keyId(current);
  return {
    sign: (topic, key, value) => `v1.${currentId}.${mac(current, topic, key, value).toString('base64url')}`,
    problem(topic, key, value, header) {
      if (header === undefined || header === '') return `unsigned: no ${signatureHeader} header`;
      const [version, id, encoded, ...rest] = header.split('.');
      if (version !== 'v1' || !id || !encoded || rest.length > 0) return `malformed ${signatureHeader} header`;
      const secret = accepted.get(id);
      if (secret === undefined) return `signed with a secret this deployment does not hold (key id ${id})`;
      const given = Buffer.from(encoded, 'base64url');
      const expected = mac(secret, topic, key, value);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged: the signature does not match the message';
      return undefined;
    },
  };
}

/**
 * Throws MessageAuthenticationError (not retryable: the runner dead-letters it) unless `message`
 * carries a valid signature for `topic`. Baton never writes tombstones, so an unsigned one is
 * refused like any other unsigned record.
 */
export function authenticateMessage(signer: MessageSigner, topic: TopicName, message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): void {
  const header = message.headers?.[signatureHeader];
  const text = header === undefined ? undefined : Buffer.isBuffer(header) ? header.toString('utf8') : String(header);
  const problem = signer.problem(topic, message.key === null ? null : message.key.toString('utf8'), message.value ?? Buffer.alloc(0), text);
  if (problem) throw new MessageAuthenticationError(`message on ${topic} refused: ${problem}`, { topic });
}

/** The signer of a deployment; a ConfigError naming the key when no secret is configured. */
export function signerFromConfig(security: SigningSecrets): MessageSigner {
  if (!security.signingSecret) {
    throw new ConfigError([
      {
        key: 'security.signingSecret',
        problem: 'is required: every Baton message is signed with it (set it, or security.signingSecretFile, to the same secret of at least 32 characters in every service of the deployment)',
      },
    ]);
  }
  return createMessageSigner({ current: security.signingSecret, previous: security.previousSigningSecrets ?? [] });
}
