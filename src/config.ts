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
  introspection: boolean;
  limits: QueryLimits;
  /** Requests per window and client; null = no rate limiting. */
  rateLimit: { max: number; windowMs: number } | null;
  /** Take the client address from the last X-Forwarded-For entry (set behind one reverse proxy). */
  trustProxy: boolean;
  /** Bearer JWT required on every operation; null = open API. */
  auth: AuthConfig | null;
  /** Redis for task events across instances; unset = in-process events (one instance). */
  redisUrl: string | undefined;
  metrics: boolean;
  websocket: WebSocketLimits;
}

/** GraphQL over WebSocket (graphql-transport-ws); messages are capped at limits.bodyBytes like HTTP bodies. */
export interface WebSocketLimits {
  /** How long a new socket may take to send connection_init. */
  initTimeoutMs: number;
  /** Operations (subscriptions and in-flight queries) one socket may run at once. */
  maxSubscriptions: number;
}

export interface QueryLimits {
  depth: number;
  aliases: number;
  tokens: number;
  directives: number;
  cost: number;
  bodyBytes: number;
  /** Operations per batched request; 0 = batching off. */
  batch: number;
}

export type AuthKeySource =
  | { kind: 'secret'; secret: string }
  | { kind: 'jwksUrl'; url: string }
  | { kind: 'jwksFile'; path: string };

export interface AuthConfig {
  key: AuthKeySource;
  issuer?: string;
  audience?: string;
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

const redisUrl = z.string().refine((value) => {
  try {
    return ['redis:', 'rediss:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'must be a redis:// or rediss:// connection URL');

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
  INTROSPECTION: flag.default(true),
  MAX_DEPTH: integer(1, 1000).default(10),
  MAX_ALIASES: integer(0, 10_000).default(15),
  MAX_TOKENS: integer(1, 1_000_000).default(1000),
  MAX_DIRECTIVES: integer(0, 10_000).default(50),
  MAX_COST: integer(1, 1_000_000_000).default(5000),
  MAX_BODY_BYTES: integer(1024, 1024 ** 3).default(262_144),
  BATCH_LIMIT: integer(0, 1000).default(0),
  RATE_LIMIT_MAX: integer(0, 1_000_000_000).default(0),
  RATE_LIMIT_WINDOW_MS: integer(100, 86_400_000).default(60_000),
  TRUST_PROXY: flag.default(false),
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 needs a 256-bit key)').optional(),
  AUTH_JWKS_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
  AUTH_JWKS_FILE: z.string().min(1).optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  REDIS_URL: redisUrl.optional(),
  METRICS: flag.default(true),
  WS_INIT_TIMEOUT_MS: integer(100, 60_000).default(5000),
  WS_MAX_SUBSCRIPTIONS: integer(1, 1000).default(20),
});

const secretVariables = new Set(['AUTH_JWT_SECRET']);

type Environment = z.infer<typeof environment>;

function authConfig(values: Environment): AuthConfig | null {
  const sources: AuthKeySource[] = [];
  if (values.AUTH_JWT_SECRET) sources.push({ kind: 'secret', secret: values.AUTH_JWT_SECRET });
  if (values.AUTH_JWKS_URL) sources.push({ kind: 'jwksUrl', url: values.AUTH_JWKS_URL });
  if (values.AUTH_JWKS_FILE) sources.push({ kind: 'jwksFile', path: values.AUTH_JWKS_FILE });
  const [key] = sources;
  if (!key) {
    if (values.AUTH_ISSUER || values.AUTH_AUDIENCE) {
      throw new ConfigError(
        'Invalid configuration:\n  AUTH_ISSUER/AUTH_AUDIENCE: need AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_JWKS_FILE',
      );
    }
    return null;
  }
  if (sources.length > 1) {
    throw new ConfigError(
      'Invalid configuration:\n  AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_JWKS_FILE: set only one of them',
    );
  }
  return { key, issuer: values.AUTH_ISSUER, audience: values.AUTH_AUDIENCE };
}

/** Reads and validates the environment once; every other module takes the result. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const shown = secretVariables.has(name) ? '(hidden)' : JSON.stringify(present[name]);
      return `  ${name}=${shown}: ${issue.message}`;
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
    introspection: values.INTROSPECTION,
    limits: {
      depth: values.MAX_DEPTH,
      aliases: values.MAX_ALIASES,
      tokens: values.MAX_TOKENS,
      directives: values.MAX_DIRECTIVES,
      cost: values.MAX_COST,
      bodyBytes: values.MAX_BODY_BYTES,
      batch: values.BATCH_LIMIT,
    },
    rateLimit: values.RATE_LIMIT_MAX > 0 ? { max: values.RATE_LIMIT_MAX, windowMs: values.RATE_LIMIT_WINDOW_MS } : null,
    trustProxy: values.TRUST_PROXY,
    auth: authConfig(values),
    redisUrl: values.REDIS_URL,
    metrics: values.METRICS,
    websocket: { initTimeoutMs: values.WS_INIT_TIMEOUT_MS, maxSubscriptions: values.WS_MAX_SUBSCRIPTIONS },
  };
}
