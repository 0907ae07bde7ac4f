/**
 * A webhook hook: an HTTP POST of the event as JSON. Each attempt has its own deadline; a network
 * error, a timeout or a 5xx answer is retried (up to `retries` more attempts, capped exponential
 * backoff with jitter); a 4xx answer is final, so is a 3xx (redirects are not followed: a POST
 * must not silently turn into a GET elsewhere). Only a 2xx counts as success. The response body is
 * kept, bounded, as the run's output. Header values (tokens) are never logged.
 */
import { backoffDelay, sleep, type BackoffOptions } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import { BoundedOutput } from './bounded-output.ts';
import { SecretRedactor } from './redact-secrets.ts';

export interface WebhookSpec {
  name: string;
  url: string;
  headers: Readonly<Record<string, string>>;
  /** The JSON document posted. */
  body: unknown;
  timeoutMs: number;
  retries: number;
  maxOutputBytes: number;
  /** Values replaced by `[redacted]` in the response body as it streams in, before it is bounded (a secret cut by the bound would survive in part). */
  secrets?: readonly string[];
  backoff?: BackoffOptions;
  /** Aborts the attempts (runner shutdown). */
  signal?: AbortSignal;
}

export interface WebhookOutcome {
  status: 'succeeded' | 'failed' | 'timed-out';
  httpStatus: number | null;
  attempts: number;
  output: string;
  outputTruncated: boolean;
  durationMs: number;
  error?: string;
}

export const webhookBackoff: BackoffOptions = { baseMs: 200, capMs: 5000 };

/** Upper bound of a webhook run: every attempt at its deadline plus every backoff at its cap. */
export function webhookWorstCaseMs(spec: Pick<WebhookSpec, 'timeoutMs' | 'retries' | 'backoff'>): number {
  const backoff = spec.backoff ?? webhookBackoff;
  let total = spec.timeoutMs * (spec.retries + 1);
  for (let n = 1; n <= spec.retries; n += 1) total += Math.min(backoff.capMs, backoff.baseMs * 2 ** (n - 1));
  return total;
}

interface Attempt {
  kind: 'answer' | 'network' | 'timeout' | 'aborted';
  httpStatus: number | null;
  output: string;
  outputTruncated: boolean;
  error?: string;
}

async function readBounded(response: Response, maxBytes: number, secrets: readonly string[]): Promise<{ output: string; truncated: boolean }> {
  const capture = new BoundedOutput(maxBytes);
  const redactor = new SecretRedactor(secrets);
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      capture.push('stdout', redactor.push(Buffer.from(value)));
    }
  }
  capture.push('stdout', redactor.end());
  const { output, truncated } = capture.result();
  return { output, truncated };
}

async function attemptOnce(spec: WebhookSpec, payload: string): Promise<Attempt> {
  const deadline = AbortSignal.timeout(spec.timeoutMs);
  const signal = spec.signal ? AbortSignal.any([deadline, spec.signal]) : deadline;
  try {
    const response = await fetch(spec.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'baton-hook-runner', ...spec.headers },
      body: payload,
      redirect: 'manual',
      signal,
    });
    const { output, truncated } = await readBounded(response, spec.maxOutputBytes, spec.secrets ?? []);
    return { kind: 'answer', httpStatus: response.status, output, outputTruncated: truncated };
  } catch (error) {
    if (spec.signal?.aborted) return { kind: 'aborted', httpStatus: null, output: '', outputTruncated: false, error: 'hook-runner is stopping' };
    if (deadline.aborted) {
      return { kind: 'timeout', httpStatus: null, output: '', outputTruncated: false, error: `no answer within ${spec.timeoutMs} ms` };
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    return { kind: 'network', httpStatus: null, output: '', outputTruncated: false, error: `network error: ${detail}` };
  }
}

const retryable = (a: Attempt): boolean => a.kind === 'network' || a.kind === 'timeout' || (a.httpStatus !== null && a.httpStatus >= 500);

export async function runWebhook(spec: WebhookSpec, logger: Logger): Promise<WebhookOutcome> {
  const started = performance.now();
  const payload = JSON.stringify(spec.body);
  let last: Attempt | undefined;
  let attempts = 0;
  for (let n = 1; n <= spec.retries + 1; n += 1) {
    attempts = n;
    last = await attemptOnce(spec, payload);
    if (last.kind === 'answer' && last.httpStatus !== null && last.httpStatus >= 200 && last.httpStatus < 300) break;
    if (!retryable(last) || n > spec.retries) break;
    const delayMs = backoffDelay(n, spec.backoff ?? webhookBackoff);
    logger.warn({ hook: spec.name, attempt: n, httpStatus: last.httpStatus, reason: last.kind, delayMs }, 'webhook attempt failed, retrying');
    try {
      await sleep(delayMs, spec.signal);
    } catch {
      break;
    }
  }
  const a = last as Attempt;
  const ok = a.kind === 'answer' && a.httpStatus !== null && a.httpStatus >= 200 && a.httpStatus < 300;
  const outcome: WebhookOutcome = {
    status: ok ? 'succeeded' : a.kind === 'timeout' ? 'timed-out' : 'failed',
    httpStatus: a.httpStatus,
    attempts,
    output: a.output,
    outputTruncated: a.outputTruncated,
    durationMs: Math.round(performance.now() - started),
  };
  if (!ok) outcome.error = a.error ?? `HTTP ${a.httpStatus}`;
  return outcome;
}
