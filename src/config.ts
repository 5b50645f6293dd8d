import { z } from 'zod';

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string }
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      connectTimeoutMs: number;
      /** PostgreSQL's statement_timeout for every pooled connection; unset or 0 = none. */
      statementTimeoutMs?: number;
      /** How long the client waits for any answer to a query (covers a dead network); unset or 0 = forever. */
      queryTimeoutMs?: number;
    };

export interface Config {
  host: string;
  port: number;
  database: DatabaseConfig;
  migrateOnStart: boolean;
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
  graphiql: boolean;
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes'].includes(value));

const postgresUrl = z.string().refine((value) => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be a postgres:// or postgresql:// connection URL');

const environment = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: integer(0, 65535).default(4000),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: integer(100, 600_000).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(0, 3_600_000).default(10_000),
  DATABASE_QUERY_TIMEOUT_MS: integer(0, 3_600_000).default(15_000),
  DATA_DIR: z.string().min(1).default('.data/pglite'),
  MIGRATE_ON_START: flag.default(true),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
  GRAPHIQL: flag.default(true),
});

/** Reads and validates the environment once; every other module takes the result. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(present[name])}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const values = parsed.data;
  const { DATABASE_QUERY_TIMEOUT_MS: queryTimeout, DATABASE_STATEMENT_TIMEOUT_MS: statementTimeout } = values;
  // The server's statement_timeout cancels a slow statement cleanly; the client-side limit is for a dead network.
  if (queryTimeout !== 0 && statementTimeout !== 0 && queryTimeout <= statementTimeout) {
    throw new ConfigError(
      `Invalid configuration:\n  DATABASE_QUERY_TIMEOUT_MS="${queryTimeout}": ` +
        `must be greater than DATABASE_STATEMENT_TIMEOUT_MS (${statementTimeout}), or 0`,
    );
  }
  return {
    host: values.HOST,
    port: values.PORT,
    database: values.DATABASE_URL
      ? {
          kind: 'postgres',
          url: values.DATABASE_URL,
          poolSize: values.DATABASE_POOL_SIZE,
          connectTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: values.DATABASE_STATEMENT_TIMEOUT_MS,
          queryTimeoutMs: values.DATABASE_QUERY_TIMEOUT_MS,
        }
      : { kind: 'pglite', dataDir: values.DATA_DIR },
    migrateOnStart: values.MIGRATE_ON_START,
    logLevel: values.LOG_LEVEL,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    graphiql: values.GRAPHIQL,
  };
}
