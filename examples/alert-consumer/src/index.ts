export { startAlertConsumer, physicalTopic, type AlertConsumerOptions, type RunningAlertConsumer } from './consumer.ts';
export { headline, lostTransactionsText, pagerDutyEvent, slackMessage, type PagerDutyEvent, type SlackMessage, type SummaryEvent } from './alerts.ts';
