/**
 * The keys that protect Baton's trust boundaries: one deployment name that keeps deployments
 * sharing a broker, a Redis and a backend server apart; the secret every message is signed with;
 * TLS and SASL for the connections to Kafka, Redis and the backend.
 */
import { Type } from '@sinclair/typebox';
import { bool, integer, optional, section } from './primitives.ts';

/** A deployment name: lower-case letters, digits and dashes, usable in topics, groups, keys and a schema name. */
export const deploymentNamePattern = '^[a-z][a-z0-9-]{0,31}$';

export const DeploymentSchema = section(
  {
    name: optional(
      Type.String({
        pattern: deploymentNamePattern,
        description:
          'Deployment (namespace) name. When set it is the default of kafka.topicPrefix, kafka.groupIdPrefix, redis.keyPrefix and backend.database ("baton_<name>"), and it names the heartbeat files, so two deployments share a broker, a Redis and a backend server without crosstalk.',
      }),
    ),
  },
  'deployment: what keeps one Baton deployment apart from another on shared infrastructure.',
);

export const SecuritySchema = section(
  {
    signingSecret: optional(
      Type.String({
        minLength: 32,
        description:
          'HMAC-SHA256 secret every Baton message on Kafka is signed with and checked against (commands from the api included); a message without a valid signature is dead-lettered. Required by every service. Shared by the services of one deployment only.',
      }),
    ),
    signingSecretFile: optional(Type.String({ minLength: 1, description: 'File holding signingSecret (one line); instead of signingSecret.' })),
    previousSigningSecrets: Type.Array(Type.String({ minLength: 32 }), {
      default: [],
      description: 'Secrets still accepted when checking a signature, never used to sign: set the old secret here while rotating.',
    }),
    commandMaxAgeMs: integer(
      600_000,
      'An operator command or hook request older (or newer) than this, by its signed occurredAt against the consumer\'s clock, is dead-lettered as expired, so a captured one cannot be replayed later.',
      { min: 1000 },
    ),
  },
  'security: message signing between the services.',
);

/** TLS towards one dependency; file paths are read at start. */
export const TlsSchema = (what: string) =>
  Type.Object(
    {
      enabled: bool(false, `Connect to ${what} over TLS.`),
      caFile: optional(Type.String({ minLength: 1, description: 'PEM file of the CA(s) to trust; default the system store.' })),
      certFile: optional(Type.String({ minLength: 1, description: 'PEM client certificate (mutual TLS).' })),
      keyFile: optional(Type.String({ minLength: 1, description: 'PEM private key of the client certificate.' })),
      rejectUnauthorized: bool(true, 'Refuse a server certificate that does not verify; false only for testing.'),
      servername: optional(Type.String({ minLength: 1, description: 'Server name to verify (SNI) when it differs from the host.' })),
    },
    { additionalProperties: false, default: {}, description: `TLS to ${what}.` },
  );

export const KafkaSaslSchema = Type.Object(
  {
    mechanism: Type.Union([Type.Literal('none'), Type.Literal('plain'), Type.Literal('scram-sha-256'), Type.Literal('scram-sha-512')], {
      default: 'none',
      description: 'SASL mechanism: none, plain, scram-sha-256 or scram-sha-512.',
    }),
    username: optional(Type.String({ minLength: 1, description: 'SASL user.' })),
    password: optional(Type.String({ description: 'SASL password.' })),
    passwordFile: optional(Type.String({ minLength: 1, description: 'File holding the SASL password; instead of password.' })),
  },
  { additionalProperties: false, default: {}, description: 'SASL authentication to the brokers.' },
);
