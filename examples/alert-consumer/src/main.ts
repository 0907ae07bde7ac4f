// The alert consumer as a process, configured from the environment (README.md).
import { startAlertConsumer } from './consumer.ts';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const consumer = await startAlertConsumer({
  brokers: env('BATON_KAFKA_BROKERS', '127.0.0.1:19092').split(','),
  topicPrefix: process.env['BATON_TOPIC_PREFIX'] ?? '',
  signingSecret: env('BATON_SIGNING_SECRET'),
  groupId: env('ALERT_GROUP_ID', 'baton-alert-consumer'),
  slackWebhookUrl: process.env['ALERT_SLACK_WEBHOOK_URL'],
  pagerDutyUrl: process.env['ALERT_PAGERDUTY_URL'],
  pagerDutyRoutingKey: process.env['ALERT_PAGERDUTY_ROUTING_KEY'],
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void consumer.stop().then(() => process.exit(0)));
