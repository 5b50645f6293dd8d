import { GraphQLError } from 'graphql';
import type { YogaLogger } from 'graphql-yoga';
import { pino } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { LogFormat, LogLevel } from './config.js';

export type Logger = pino.Logger;

export function createLogger(level: LogLevel, format: LogFormat = 'json'): Logger {
  const options = { level, base: { service: 'taskgraph' } };
  if (format === 'json') return pino(options);
  // A stream in this thread, written synchronously: unlike a worker transport, nothing is lost at process.exit.
  return pino(options, PinoPretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service' }));
}

/** Yoga's own log lines, as JSON lines through our logger. */
export function yogaLogger(logger: Logger): YogaLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      // Yoga logs a few debug lines per request: formatting them for a level that is off showed in profiles.
      if (!logger.isLevelEnabled(level)) return;
      const [first, ...rest] = args;
      // Errors from execution are logged by useUnexpectedErrorLogging, with the request id.
      if (level === 'error' && first instanceof GraphQLError) return;
      if (first instanceof Error) logger[level]({ err: first }, rest.map(String).join(' '));
      else logger[level](args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
