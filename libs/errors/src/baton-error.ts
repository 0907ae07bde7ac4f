/**
 * The root of every error Baton raises on purpose. `code` identifies the failure for programs
 * (never match on message text); `retryable` tells a consumer whether another attempt can help.
 * Extra context fields are copied onto the instance so pino serialises them.
 */
export interface BatonErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  [context: string]: unknown;
}

export class BatonError extends Error {
  static readonly code: string = 'BATON_ERROR';
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: BatonErrorOptions = {}) {
    const { cause, retryable = false, ...context } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
    Object.assign(this, context);
  }
}
