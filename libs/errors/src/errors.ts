import { BatonError, type BatonErrorOptions } from './baton-error.ts';

/** One problem with one configuration key. */
export interface ConfigIssue {
  key: string;
  problem: string;
}

/** Bad configuration: every offending key is listed at once. */
export class ConfigError extends BatonError {
  static override readonly code = 'BATON_CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], source = 'configuration') {
    const lines = issues.map((i) => `  - ${i.key}: ${i.problem}`).join('\n');
    super(ConfigError.code, `invalid ${source} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`);
    this.issues = issues;
  }
}

/** A message that does not match its topic's schema. Never retried. */
export class MessageValidationError extends BatonError {
  static override readonly code = 'BATON_MESSAGE_INVALID';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(MessageValidationError.code, message, { ...options, retryable: false });
  }
}

/** A message without a valid signature of this deployment, or an operator command too old to apply. */
export class MessageAuthenticationError extends BatonError {
  static override readonly code = 'BATON_MESSAGE_UNAUTHENTICATED';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(MessageAuthenticationError.code, message, { ...options, retryable: false });
  }
}

export class ProbeTimeoutError extends BatonError {
  static override readonly code = 'BATON_PROBE_TIMEOUT';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(ProbeTimeoutError.code, message, { retryable: true, ...options });
  }
}

export class ProbeAuthError extends BatonError {
  static override readonly code = 'BATON_PROBE_AUTH';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(ProbeAuthError.code, message, { ...options, retryable: false });
  }
}

export class LeaseNotAcquiredError extends BatonError {
  static override readonly code = 'BATON_LEASE_NOT_ACQUIRED';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(LeaseNotAcquiredError.code, message, { retryable: true, ...options });
  }
}

export class RecoveryPreconditionError extends BatonError {
  static override readonly code = 'BATON_RECOVERY_PRECONDITION';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(RecoveryPreconditionError.code, message, { ...options, retryable: false });
  }
}

export class HookTimeoutError extends BatonError {
  static override readonly code = 'BATON_HOOK_TIMEOUT';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(HookTimeoutError.code, message, { ...options, retryable: false });
  }
}

export class HookFailedError extends BatonError {
  static override readonly code = 'BATON_HOOK_FAILED';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(HookFailedError.code, message, { ...options, retryable: false });
  }
}

/** A dependency (broker, Redis, a database) did not become ready before its deadline. */
export class DependencyUnavailableError extends BatonError {
  static override readonly code = 'BATON_DEPENDENCY_UNAVAILABLE';
  constructor(message: string, options: BatonErrorOptions = {}) {
    super(DependencyUnavailableError.code, message, { retryable: true, ...options });
  }
}

/** Every attempt of a retried operation failed; `errors` holds each attempt's error in order. */
export class RetriesExhaustedError extends AggregateError {
  static readonly code = 'BATON_RETRIES_EXHAUSTED';
  readonly code = RetriesExhaustedError.code;
  readonly retryable = false;
  constructor(errors: unknown[], message: string) {
    super(errors, message);
    this.name = 'RetriesExhaustedError';
  }
}

/** Every error class with a static code, for the code-consistency test and for lookups. */
export const errorClasses = {
  ConfigError,
  MessageValidationError,
  ProbeTimeoutError,
  ProbeAuthError,
  LeaseNotAcquiredError,
  RecoveryPreconditionError,
  HookTimeoutError,
  HookFailedError,
  DependencyUnavailableError,
  RetriesExhaustedError,
} as const;

export function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}
