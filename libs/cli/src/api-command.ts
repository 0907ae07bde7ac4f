/**
 * The frame of every command that talks to the api: the common options (--api, --token, --config,
 * --json, --help), the target, and the exit codes scripts rely on:
 *   0  the api answered OK
 *   1  the api answered ERROR (its Message on stderr; with --json the body on stdout too), or it
 *      could not be reached
 *   2  bad usage (thrown as UsageError; baton.ts prints it)
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiCallError, ApiUnreachableError, resolveTarget, type ApiTarget } from './api-client.ts';
import { UsageError, exitCodes, type CliIo } from './io.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ApiCommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  target: ApiTarget;
  io: CliIo;
  json: boolean;
  /** Who runs the command ($USER), sent as X-Baton-User. */
  user: string;
  /** Prints a value as JSON (for --json). */
  printJson(value: unknown): void;
}

export interface ApiCommandSpec {
  name: string;
  usage: string;
  options?: Options;
  /** Allowed number of positionals: [min, max]. */
  positionals: [number, number];
  run(ctx: ApiCommandContext): Promise<number>;
}

export const commonApiOptions = `  --api URL        the api (default $BATON_API_URL, else --config's api section, else http://127.0.0.1:3000)
  --token TOKEN    the api token for state-changing commands (default $BATON_API_TOKEN, else --config's api.token)
  --config FILE    read the api address and token from a Baton configuration file
  --json           print the api's JSON answer instead of text

Exit status: 0 OK; 1 the api answered ERROR or could not be reached; 2 bad usage.`;

export function apiCommand(spec: ApiCommandSpec): (argv: readonly string[], io: CliIo) => Promise<number> {
  return async (argv, io) => {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
          api: { type: 'string' },
          token: { type: 'string' },
          config: { type: 'string' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
          ...spec.options,
        },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values['help']) {
      io.out(`${spec.usage}\n\n${commonApiOptions}\n`);
      return exitCodes.ok;
    }
    const [min, max] = spec.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(min === max ? `expected ${min} argument${min === 1 ? '' : 's'}, got ${parsed.positionals.length}` : `expected ${min} to ${max} arguments, got ${parsed.positionals.length}`);
    }
    const env = io.env ?? process.env;
    const target = resolveTarget({ api: values['api'] as string | undefined, token: values['token'] as string | undefined, config: values['config'] as string | undefined, env });
    const json = values['json'] === true;
    const printJson = (value: unknown) => io.out(`${JSON.stringify(value, null, 2)}\n`);
    try {
      return await spec.run({ positionals: parsed.positionals, values, target, io, json, user: env['USER'] ?? 'unknown', printJson });
    } catch (error) {
      if (error instanceof ApiCallError) {
        if (json) printJson(error.response.body);
        const details = (error.response.body as { Details?: unknown } | null)?.Details;
        const reason = details && typeof details === 'object' && typeof (details as { Reason?: unknown }).Reason === 'string' ? ` (${(details as { Reason: string }).Reason})` : '';
        io.err(`baton ${spec.name}: ${error.message}${reason}\n`);
        return exitCodes.failure;
      }
      if (error instanceof ApiUnreachableError) {
        io.err(`baton ${spec.name}: ${error.message}\n`);
        return exitCodes.failure;
      }
      throw error;
    }
  };
}

/** `host:port` → key; UsageError naming the argument otherwise. */
export function parseHostPort(text: string | undefined, what = 'HOST:PORT'): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(text ?? '');
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) throw new UsageError(`${what} expected, got ${JSON.stringify(text ?? '')}`);
  return { host: m[1] as string, port };
}
