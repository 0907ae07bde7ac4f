/**
 * One hook request, at most once. Before anything runs, the request id is claimed in Redis
 * (SET NX with a TTL, value = when the first run must be over). The result is stored next to the
 * claim (same TTL) before it is published, so a repeated request — a redelivery after a rebalance,
 * a retry of a failed publish, the same request published twice — is answered with the stored
 * result (`replayed: true`) and runs nothing. A repeat that finds the claim but no result yet waits
 * for it until the first run's worst-case end; after that the first run is taken as lost (its
 * runner stopped or crashed mid-run) and a failed result says so, without running the hooks again:
 * a PreFailover hook that may have half-run is not repeated behind the operator's back.
 */
import { createEnvelope, topics, type HookRequest, type HookResult } from '@baton/contracts';
import type { MessageContext, Publisher } from '@baton/kafka';
import type { Logger } from '@baton/logging';
import type { createRedis, Keys } from '@baton/state';

type Redis = ReturnType<typeof createRedis>;

export interface RequestHandlerOptions {
  redis: Redis;
  keys: Keys;
  publisher: Publisher;
  logger: Logger;
  /** TTL of the claim and of the stored result. */
  ttlMs: number;
  /** Runs the request's hook list. */
  run: (request: HookRequest, logger: Logger) => Promise<HookResult>;
  /** Worst-case duration of the request's hook list (see listWorstCaseMs). */
  worstCaseMs: (request: HookRequest) => number;
  /** Who claims (logged, stored in the claim). */
  owner: string;
  /** How often a repeat looks for the first run's result. */
  pollMs?: number;
}

export interface RequestHandler {
  handle(context: MessageContext): Promise<void>;
  stats(): { ran: number; replayed: number; lost: number };
}

/** Results of this process's own runs, so a retry after a failed store or publish does not wait for itself. */
const memoLimit = 1000;
/** Margin on top of a list's worst case before its first run counts as lost. */
const lostMarginMs = 5000;

interface Claim {
  deadlineAt: number;
  owner: string;
}

export function processedKeys(keys: Keys, requestId: string): { claim: string; result: string } {
  return { claim: keys.hookRequestClaim(requestId), result: keys.hookRequestResult(requestId) };
}

export function createRequestHandler(options: RequestHandlerOptions): RequestHandler {
  const { redis, keys, publisher, ttlMs } = options;
  const pollMs = options.pollMs ?? 100;
  const memo = new Map<string, Promise<HookResult>>();
  const stats = { ran: 0, replayed: 0, lost: 0 };

  const remember = (requestId: string, result: Promise<HookResult>): void => {
    memo.set(requestId, result);
    result.catch(() => memo.delete(requestId));
    if (memo.size > memoLimit) memo.delete(memo.keys().next().value as string);
  };

  const store = async (key: string, result: HookResult): Promise<void> => {
    await redis.set(key, JSON.stringify(result), 'PX', ttlMs);
  };

  async function publish(context: MessageContext, result: HookResult): Promise<void> {
    const envelope = createEnvelope('hook-result', result, {
      producer: 'hook-runner',
      ...(context.envelope.correlationId === undefined ? {} : { correlationId: context.envelope.correlationId }),
    });
    await publisher.publish(topics.hookResults, result.clusterId, envelope);
  }

  async function storedResult(key: string): Promise<HookResult | undefined> {
    const text = await redis.get(key);
    return text === null ? undefined : (JSON.parse(text) as HookResult);
  }

  async function waitForFirstRun(key: { claim: string; result: string }, signal: AbortSignal): Promise<HookResult | undefined> {
    const raw = await redis.get(key.claim);
    const claim = raw ? (JSON.parse(raw) as Partial<Claim>) : {};
    const deadlineAt = typeof claim.deadlineAt === 'number' ? claim.deadlineAt : Date.now();
    for (;;) {
      const stored = await storedResult(key.result);
      if (stored) return stored;
      if (Date.now() >= deadlineAt || signal.aborted) return undefined;
      await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(1, deadlineAt - Date.now()))));
    }
  }

  /** A bug in the runner still answers (and stays claimed: a half-run list is not repeated). */
  async function runSafely(request: HookRequest, logger: Logger): Promise<HookResult> {
    try {
      return await options.run(request, logger);
    } catch (error) {
      logger.error({ err: error }, 'hook list run failed');
      return failedResult(request, `hook-runner error: ${(error as Error).message}`);
    }
  }

  async function handle(context: MessageContext): Promise<void> {
    const { envelope } = context;
    if (envelope.type !== 'hook-request') return;
    const request = envelope.payload;
    const logger = options.logger.child({
      requestId: request.requestId,
      hookKind: request.hookKind,
      clusterId: request.clusterId,
      recoveryUid: request.recoveryUid,
      ...(envelope.correlationId === undefined ? {} : { correlationId: envelope.correlationId }),
    });
    const key = processedKeys(keys, request.requestId);

    // a retry of this very message after its store or publish failed: answer with the run already done
    const own = context.attempt > 1 ? memo.get(request.requestId) : undefined;
    if (own) {
      logger.info({ attempt: context.attempt }, 'hook request retried after its run; answering again');
      const result = await own;
      await store(key.result, result);
      await publish(context, result);
      return;
    }

    const claim: Claim = { deadlineAt: Date.now() + options.worstCaseMs(request) + lostMarginMs, owner: options.owner };
    const first = (await redis.set(key.claim, JSON.stringify(claim), 'PX', ttlMs, 'NX')) === 'OK';
    if (first) {
      logger.info('hook request received');
      const running = runSafely(request, logger);
      remember(request.requestId, running);
      const result = await running;
      stats.ran += 1;
      logger.info({ ok: result.ok, runs: result.runs.length }, 'hook request done');
      await store(key.result, result);
      await publish(context, result);
      return;
    }

    logger.info('hook request already claimed; answering with the first run\'s result');
    const stored = await waitForFirstRun(key, context.signal);
    if (stored) {
      stats.replayed += 1;
      await publish(context, { ...stored, replayed: true });
      return;
    }
    if (context.signal.aborted) throw new Error('hook-runner stopping while waiting for a first run');
    stats.lost += 1;
    logger.warn('first run of a repeated hook request ended without a result; hooks not run again');
    const lost = failedResult(
      request,
      'an earlier delivery of this request claimed it but stored no result before its deadline (its runner stopped or crashed); the hooks were not run again',
    );
    // only the first writer stores the verdict; later repeats replay it
    const mine = (await redis.set(key.result, JSON.stringify(lost), 'PX', ttlMs, 'NX')) === 'OK';
    const verdict = mine ? lost : ((await storedResult(key.result)) ?? lost);
    await publish(context, mine ? verdict : { ...verdict, replayed: true });
  }

  return { handle, stats: () => ({ ...stats }) };
}

function failedResult(request: HookRequest, error: string): HookResult {
  return {
    requestId: request.requestId,
    hookKind: request.hookKind,
    clusterId: request.clusterId,
    recoveryUid: request.recoveryUid,
    ok: false,
    runs: [],
    error,
  };
}
