/**
 * Orchestrator's response envelope, `{"Code": "OK"|"ERROR", "Message": ..., "Details": ...}`, and
 * the one error type routes throw. Orchestrator answers every ERROR with HTTP 500; Baton keeps the
 * envelope and says more with the status: 400 bad parameter, 401 no or wrong token, 403 refused
 * (read-only, no token configured), 404 unknown cluster or instance, 409 not possible in the
 * current state, 502 the service that handles a command refused it (its reason in Message), 503 a
 * dependency is down, 504 a command was published but its effect was not seen in time. Clients that only read `Code` keep working.
 */
import { BatonError } from '@baton/errors';

export interface Envelope {
  Code: 'OK' | 'ERROR';
  Message: string;
  Details: unknown;
}

export function ok(message: string, details: unknown = null): Envelope {
  return { Code: 'OK', Message: message, Details: details };
}

export function failure(message: string, details: unknown = null): Envelope {
  return { Code: 'ERROR', Message: message, Details: details };
}

export const apiErrorCodes = {
  400: 'BATON_API_BAD_PARAMETER',
  401: 'BATON_API_UNAUTHORIZED',
  403: 'BATON_API_FORBIDDEN',
  404: 'BATON_API_NOT_FOUND',
  409: 'BATON_API_CONFLICT',
  500: 'BATON_API_INTERNAL',
  502: 'BATON_API_COMMAND_FAILED',
  503: 'BATON_API_UNAVAILABLE',
  504: 'BATON_API_TIMEOUT',
} as const;

export type ApiStatus = keyof typeof apiErrorCodes;

/** A failure a route reports in the envelope, with its HTTP status and optional Details. */
export class ApiError extends BatonError {
  static override readonly code = 'BATON_API_ERROR';
  readonly statusCode: ApiStatus;
  readonly details: unknown;

  constructor(statusCode: ApiStatus, message: string, details: unknown = null, options: { cause?: unknown } = {}) {
    super(apiErrorCodes[statusCode], message, { retryable: statusCode >= 500, ...options });
    this.statusCode = statusCode;
    this.details = details;
  }
}

export const badParameter = (field: string, problem: string): ApiError => new ApiError(400, `bad parameter ${field}: ${problem}`, { field });
export const notFound = (message: string, details: unknown = null): ApiError => new ApiError(404, message, details);
