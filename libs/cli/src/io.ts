/** Where a command writes; tests and embedding callers pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads a file ('-' = standard input) as UTF-8. */
  readFile(path: string): string;
  /** Environment (BATON_API_URL, BATON_API_TOKEN, USER); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Exit codes: 0 done, 1 the api answered ERROR / could not be reached / unexpected failure, 2 bad usage or bad input. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure the user can fix (bad option, unreadable or invalid file): exit 2 with this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
