import { BatonError, type BatonErrorOptions } from '@baton/errors';

/** A GTID set or MariaDB GTID position that does not parse. Never retried: the text will not change. */
export class GtidParseError extends BatonError {
  static override readonly code = 'BATON_GTID_INVALID';
  readonly input: string;
  constructor(input: string, problem: string, options: BatonErrorOptions = {}) {
    super(GtidParseError.code, `invalid GTID text ${JSON.stringify(input)}: ${problem}`, { ...options, retryable: false });
    this.input = input;
  }
}
