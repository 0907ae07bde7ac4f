/**
 * The alert consumer: reads `<prefix>.baton.recovery-events`, checks every message's signature
 * with the deployment's shared secret before parsing it (an unsigned or forged message is logged
 * and skipped), validates the envelope, ignores every step but `summary`, and posts each summary to
 * a Slack incoming webhook and to the PagerDuty Events API v2. At least once: a post that fails
 * throws, and kafkajs delivers the message again (PagerDuty's dedup_key keeps that one incident).
 */
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { decodeMessage, topics } from '@baton/contracts';
import { createMessageSigner, signatureHeader } from '@baton/kafka';
import { pagerDutyEvent, slackMessage, type SummaryEvent } from './alerts.ts';

export interface AlertConsumerOptions {
  brokers: readonly string[];
  /** kafka.topicPrefix of the Baton deployment (`prod` or `prod.`); '' for none. */
  topicPrefix: string;
  /** security.signingSecret of the deployment (and the previous ones during a rotation). */
  signingSecret: string;
  previousSigningSecrets?: readonly string[];
  groupId: string;
  /** Slack incoming-webhook URL; unset: no Slack message. */
  slackWebhookUrl?: string | undefined;
  /** PagerDuty Events API v2 URL (default https://events.pagerduty.com/v2/enqueue) and routing key; no key: no PagerDuty event. */
  pagerDutyUrl?: string | undefined;
  pagerDutyRoutingKey?: string | undefined;
  /** Read the topic from its beginning on the group's first start (default false: new events only). */
  fromBeginning?: boolean;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface RunningAlertConsumer {
  /** Resolves once the consumer joined its group and was assigned its partitions. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** The physical topic: the prefix and a dot, then the logical name. */
export function physicalTopic(prefix: string): string {
  const p = prefix.replace(/\.$/, '');
  return p === '' ? topics.recoveryEvents : `${p}.${topics.recoveryEvents}`;
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}`);
}

export async function startAlertConsumer(o: AlertConsumerOptions): Promise<RunningAlertConsumer> {
  const log = o.log ?? ((level, message, fields) => console[level](JSON.stringify({ level, message, ...fields })));
  const signer = createMessageSigner({ current: o.signingSecret, previous: o.previousSigningSecrets ?? [] });
  const topic = physicalTopic(o.topicPrefix);
  const kafka = new Kafka({ clientId: 'baton-alert-consumer', brokers: [...o.brokers], logLevel: logLevel.WARN });
  const consumer: Consumer = kafka.consumer({ groupId: o.groupId, maxWaitTimeInMs: 250 });

  const handle = async (message: KafkaMessage): Promise<void> => {
    const key = message.key === null ? null : message.key.toString('utf8');
    const value = message.value ?? Buffer.alloc(0);
    const header = message.headers?.[signatureHeader];
    // the signature covers the logical topic name, the key and the value bytes
    const problem = signer.problem(topics.recoveryEvents, key, value, header === undefined ? undefined : header.toString());
    if (problem) return log('warn', 'message refused', { topic, offset: message.offset, problem });
    let envelope;
    try {
      envelope = decodeMessage(topics.recoveryEvents, value);
    } catch (error) {
      return log('warn', 'message refused', { topic, offset: message.offset, problem: (error as Error).message });
    }
    if (envelope.type !== 'recovery-event' || envelope.payload.step !== 'summary') return;
    const event = envelope.payload as SummaryEvent;
    const pd = o.pagerDutyRoutingKey ? pagerDutyEvent(event, o.pagerDutyRoutingKey) : null;
    await Promise.all([
      o.slackWebhookUrl ? post(o.slackWebhookUrl, slackMessage(event)) : Promise.resolve(),
      pd ? post(o.pagerDutyUrl ?? 'https://events.pagerduty.com/v2/enqueue', pd) : Promise.resolve(),
    ]);
    log('info', 'recovery summary alerted', { clusterId: event.clusterId, recoveryUid: event.recoveryUid, outcome: event.details.outcome, pagerDuty: pd?.event_action ?? 'none' });
  };

  let joined: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  const off = consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: o.fromBeginning ?? false });
  await consumer.run({ eachMessage: ({ message }) => handle(message) });
  return {
    ready,
    async stop() {
      off();
      await consumer.disconnect();
    },
  };
}
