/** How every service writes its log lines. */
import { Type } from '@sinclair/typebox';
import { section } from './primitives.ts';

export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

export const LoggingSchema = section(
  {
    format: Type.Union(
      logFormats.map((f) => Type.Literal(f)),
      {
        default: 'json',
        description:
          'json (the default, for production: one JSON object per line, what log shippers and the chaos tests read) or pretty (pino-pretty: one human-readable line per entry, for a person reading the log, as in the sandbox). The level is BATON_LOG_LEVEL (default info).',
      },
    ),
  },
  "logging: the format of every service's log lines.",
);
