import { deadLetterHeaders } from '@baton/contracts';

/** Longest reason kept in a header; the rest of a huge message is cut (headers count against the size limit). */
export const maxReasonLength = 2000;

export interface DeadLetterInput {
  error: unknown;
  /** Physical topic the message was read from. */
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  groupId: string;
  /** Handler attempts made; 0 when the message was refused before the handler (decode/validation). */
  attempts: number;
  failedAt: Date;
}

/** `code` of a BatonError (or any error carrying a string code), else the error's name. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'UNKNOWN';
}

export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > maxReasonLength ? `${text.slice(0, maxReasonLength)}…` : text;
}

/** The headers that say why and from where a message was dead-lettered (all strings). */
export function buildDeadLetterHeaders(input: DeadLetterInput): Record<string, string> {
  const key = input.key === null ? '' : typeof input.key === 'string' ? input.key : input.key.toString('utf8');
  return {
    [deadLetterHeaders.reason]: errorMessage(input.error),
    [deadLetterHeaders.errorCode]: errorCode(input.error),
    [deadLetterHeaders.originalTopic]: input.topic,
    [deadLetterHeaders.originalPartition]: String(input.partition),
    [deadLetterHeaders.originalOffset]: input.offset,
    [deadLetterHeaders.originalKey]: key,
    [deadLetterHeaders.consumerGroup]: input.groupId,
    [deadLetterHeaders.attempts]: String(input.attempts),
    [deadLetterHeaders.failedAt]: input.failedAt.toISOString(),
  };
}

/** Kafka header values as strings (the last value when a header repeats). */
export function headersToStrings(headers: Record<string, Buffer | string | Array<Buffer | string> | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    out[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return out;
}
