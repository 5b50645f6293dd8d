import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string }
  | {
      kind: 'postgres';
      /** The API's connections; may go through a transaction-mode pooler (see isPooledUrl). */
      url: string;
      /** A direct (non-pooled) URL of the same database for migrations and their lock; see migrationUrl. */
      directUrl?: string;
      poolSize: number;
      connectTimeoutMs: number;
      /** PostgreSQL's statement_timeout for the API's connections; unset or 0 = none. */
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
  /** pretty: readable lines for a person at a terminal; json: one JSON object a line for log collectors. */
  logFormat: LogFormat;
  /** From the stop signal to exit, grace included. */
  shutdownTimeoutMs: number;
  /** After the stop signal, how long /ready fails while requests are still served, before draining; 0 = none. */
  shutdownGraceMs: number;
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
  /** Query answers cached per user (src/plugins/response-cache.ts); null = off. */
  responseCache: ResponseCacheConfig | null;
  /** Browser origins that may read responses (CORS); null = none, same-origin only. */
  cors: CorsConfig | null;
  /** The only documents that may run, by the SHA-256 hash (bare hex) of their text; null = any document runs. */
  trustedDocuments: TrustedDocuments | null;
  websocket: WebSocketLimits;
}

export interface ResponseCacheConfig {
  /** How long an answer is served at most: bounds staleness after writes made outside the API (psql, db:seed). */
  ttlMs: number;
  /** Bytes of answers (and their keys) this process keeps at most without Redis (the oldest go first). */
  maxBytes: number;
}

/** GraphQL over WebSocket (graphql-transport-ws); messages are capped at limits.bodyBytes like HTTP bodies. */
export interface WebSocketLimits {
  /** How long a new socket may take to send connection_init. */
  initTimeoutMs: number;
  /** Operations (subscriptions and in-flight queries) one socket may run at once. */
  maxSubscriptions: number;
}

export type TrustedDocuments = ReadonlyMap<string, string>;

export interface CorsConfig {
  /** Exact origins as browsers send them, or '*' for any origin. */
  origins: '*' | readonly string[];
  /** Send Access-Control-Allow-Credentials (cookies, TLS client certificates); never with '*'. */
  credentials: boolean;
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
  | { kind: 'jwksFile'; path: string; keySet: JSONWebKeySet };

export interface AuthConfig {
  key: AuthKeySource;
  issuer?: string;
  audience?: string;
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/** This process cannot start as configured (exit code 2). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A ConfigError listing bad settings, each naming its variable, e.g. `PORT="eighty": must be a whole number`. */
function invalidConfiguration(problems: string[]): ConfigError {
  return new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
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

const connectionUrl = (protocols: [string, string]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol.slice(0, -1));
    } catch {
      return false;
    }
  }, `must be a ${protocols.map((protocol) => `${protocol}://`).join(' or ')} connection URL`);

// Prisma's convention for PgBouncer (`pgbouncer=true`) and Neon's host names for its pooled endpoints.
const pooledHost = /-pooler(\.|$)/i;

/**
 * True when the URL looks like it goes through a transaction-mode pooler such as PgBouncer (Neon's pooled
 * endpoints): session state (SET, advisory locks, named prepared statements) does not survive between transactions.
 */
export function isPooledUrl(url: string): boolean {
  const parsed = new URL(url);
  return pooledHost.test(parsed.hostname) || parsed.searchParams.get('pgbouncer') === 'true';
}

const directUrlRequired =
  'looks like a pooled connection (a -pooler host or pgbouncer=true), where the migrations\' advisory lock does ' +
  'not hold: set DATABASE_DIRECT_URL to the direct (non-pooled) URL of the same database';

/** The connection for migrations and their session-level advisory lock: never one through a pooler. */
export function migrationUrl(database: Extract<DatabaseConfig, { kind: 'postgres' }>): string {
  if (database.directUrl) return database.directUrl;
  if (isPooledUrl(database.url)) throw invalidConfiguration([`DATABASE_URL: ${directUrlRequired}`]);
  return database.url;
}

const postgresUrl = connectionUrl(['postgres', 'postgresql']);
const redisUrl = connectionUrl(['redis', 'rediss']);

// What jose's createLocalJWKSet accepts.
const jsonWebKeySet = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

/** The key set is read at start, so a missing or malformed file stops the server instead of failing every request. */
function readKeySet(path: string): JSONWebKeySet {
  try {
    return jsonWebKeySet.parse(JSON.parse(readFileSync(path, 'utf8'))) as JSONWebKeySet;
  } catch (error) {
    const reason = error instanceof z.ZodError ? 'expected {"keys": [...]}' : error instanceof Error ? error.message : String(error);
    throw invalidConfiguration([`AUTH_JWKS_FILE=${JSON.stringify(path)}: not a readable JWKS (${reason})`]);
  }
}

// An origin is what a browser sends in the Origin header: scheme://host[:port], lowercase, default port omitted.
function originProblem(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `"${entry}" is not an origin: expected scheme://host[:port], e.g. https://app.example.com`;
  }
  if (!['http:', 'https:'].includes(url.protocol)) return `"${entry}" is not an http:// or https:// origin`;
  if (url.origin !== entry) return `"${entry}" is not an origin as browsers send it (no path, lowercase, no default port): use "${url.origin}"`;
  return undefined;
}

const corsOrigins = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
  .check((context) => {
    const origins = context.value;
    const problems =
      origins.length === 0
        ? ['must list at least one origin']
        : origins.includes('*')
          ? origins.length > 1
            ? ['"*" (any origin) must be the only entry']
            : []
          : origins.flatMap((origin) => originProblem(origin) ?? []);
    for (const message of problems) context.issues.push({ code: 'custom', message, input: context.value });
  });

const environment = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: integer(0, 65535).default(4000),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_DIRECT_URL: postgresUrl
    .refine((value) => !isPooledUrl(value), 'must be a direct connection, not a pooled one (-pooler host, pgbouncer=true)')
    .optional(),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: integer(100, 600_000).default(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(0, 3_600_000).default(10_000),
  DATABASE_QUERY_TIMEOUT_MS: integer(0, 3_600_000).default(15_000),
  DATA_DIR: z.string().min(1).default('.data/pglite'),
  MIGRATE_ON_START: flag.default(true),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(logFormats, { error: `must be one of ${logFormats.join(', ')}` }).optional(),
  SHUTDOWN_TIMEOUT_MS: integer(0, 600_000).default(10_000),
  SHUTDOWN_GRACE_MS: integer(0, 600_000).default(0),
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
  // Whole seconds: the shared (Redis) counters expire in seconds.
  RATE_LIMIT_WINDOW_MS: integer(1000, 86_400_000)
    .refine((value) => value % 1000 === 0, 'must be whole seconds (a multiple of 1000)')
    .default(60_000),
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
  RESPONSE_CACHE: flag.default(false),
  RESPONSE_CACHE_TTL_MS: integer(1, 86_400_000).default(10_000),
  RESPONSE_CACHE_MAX_BYTES: integer(1, 2 ** 40).default(32 * 2 ** 20),
  // An entry count did not bound memory (an answer is 30 bytes to 0.5 MB): refused rather than silently ignored.
  RESPONSE_CACHE_MAX_ENTRIES: z
    .never({ error: 'was replaced by RESPONSE_CACHE_MAX_BYTES (bytes of answers kept in memory; default 33554432 = 32 MiB)' })
    .optional(),
  CORS_ORIGINS: corsOrigins.optional(),
  CORS_CREDENTIALS: flag.default(false),
  TRUSTED_DOCUMENTS: z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
    .refine((paths) => paths.length > 0, 'must list at least one manifest path')
    .optional(),
  WS_INIT_TIMEOUT_MS: integer(100, 60_000).default(5000),
  WS_MAX_SUBSCRIPTIONS: integer(1, 1000).default(20),
});

const secretVariables = new Set(['AUTH_JWT_SECRET']);

/** A setting as an error message may show it: secrets hidden, and a connection URL's password masked. */
function shownValue(name: string, value: string | undefined): string {
  if (secretVariables.has(name)) return '(hidden)';
  return JSON.stringify(value?.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i, '$1***@'));
}

type Environment = z.infer<typeof environment>;

function authConfig(values: Environment): AuthConfig | null {
  const { AUTH_JWT_SECRET: secret, AUTH_JWKS_URL: jwksUrl, AUTH_JWKS_FILE: jwksFile } = values;
  const sources = [secret, jwksUrl, jwksFile].filter((source) => source !== undefined).length;
  if (sources > 1) throw invalidConfiguration(['AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_JWKS_FILE: set only one of them']);
  let key: AuthKeySource;
  if (secret) key = { kind: 'secret', secret };
  else if (jwksUrl) key = { kind: 'jwksUrl', url: jwksUrl };
  else if (jwksFile) key = { kind: 'jwksFile', path: jwksFile, keySet: readKeySet(jwksFile) };
  else {
    if (values.AUTH_ISSUER || values.AUTH_AUDIENCE) {
      throw invalidConfiguration(['AUTH_ISSUER/AUTH_AUDIENCE: need AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_JWKS_FILE']);
    }
    return null;
  }
  return { key, issuer: values.AUTH_ISSUER, audience: values.AUTH_AUDIENCE };
}

function corsConfig(values: Environment): CorsConfig | null {
  const origins = values.CORS_ORIGINS;
  if (!origins) {
    if (values.CORS_CREDENTIALS) {
      throw invalidConfiguration(['CORS_CREDENTIALS="true": needs CORS_ORIGINS (the origins to trust)']);
    }
    return null;
  }
  const anyOrigin = origins.includes('*');
  // Any site reading answers with the visitor's cookies is what CORS exists to prevent.
  if (anyOrigin && values.CORS_CREDENTIALS) {
    throw invalidConfiguration(['CORS_CREDENTIALS="true": cannot be combined with CORS_ORIGINS="*"; list the origins']);
  }
  return { origins: anyOrigin ? '*' : origins, credentials: values.CORS_CREDENTIALS };
}

// Keys as the client preset writes them ("sha256:<hex>", the trusted documents proposal's form) or bare hex.
const manifestKey = /^(?:sha256:)?([0-9a-f]{64})$/;

/**
 * Reads the persisted-documents manifests that GraphQL Code Generator's client preset writes (a JSON object of
 * SHA-256 hash -> document text) and checks every hash against its text, so a stale or hand-edited manifest fails
 * at start instead of refusing a client's operation later. Keyed by the bare hex hash.
 */
function trustedDocuments(paths: readonly string[] | undefined): TrustedDocuments | null {
  if (!paths) return null;
  const documents = new Map<string, string>();
  for (const path of paths) {
    const problem = (reason: string) => invalidConfiguration([`TRUSTED_DOCUMENTS: ${JSON.stringify(path)} ${reason}`]);
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw problem(`is not a readable JSON file (${error instanceof Error ? error.message : String(error)})`);
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      throw problem('is not a manifest: expected a JSON object of "sha256:<hash>": "document"');
    }
    for (const [key, document] of Object.entries(manifest)) {
      const hash = manifestKey.exec(key)?.[1];
      if (typeof document !== 'string') throw problem(`maps ${JSON.stringify(key.slice(0, 80))} to something other than a document`);
      if (!hash || createHash('sha256').update(document).digest('hex') !== hash) {
        throw problem(`lists ${JSON.stringify(key.slice(0, 80))}, which is not the SHA-256 hash of its document (use hashAlgorithm: 'sha256')`);
      }
      documents.set(hash, document);
    }
  }
  return documents;
}

/** Reads and validates the environment once; every other module takes the result. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${shownValue(name, present[name])}: ${issue.message}`;
    });
    throw invalidConfiguration(problems);
  }
  const values = parsed.data;
  const { DATABASE_QUERY_TIMEOUT_MS: queryTimeout, DATABASE_STATEMENT_TIMEOUT_MS: statementTimeout } = values;
  // The server's statement_timeout cancels a slow statement cleanly; the client-side limit is for a dead network.
  if (queryTimeout !== 0 && statementTimeout !== 0 && queryTimeout <= statementTimeout) {
    throw invalidConfiguration([
      `DATABASE_QUERY_TIMEOUT_MS="${queryTimeout}": must be greater than DATABASE_STATEMENT_TIMEOUT_MS (${statementTimeout}), or 0`,
    ]);
  }
  if (values.DATABASE_DIRECT_URL && !values.DATABASE_URL) {
    throw invalidConfiguration(['DATABASE_DIRECT_URL: is used only together with DATABASE_URL']);
  }
  if (values.DATABASE_URL && !values.DATABASE_DIRECT_URL && values.MIGRATE_ON_START && isPooledUrl(values.DATABASE_URL)) {
    throw invalidConfiguration([`DATABASE_URL: ${directUrlRequired} (or MIGRATE_ON_START=false to start without migrating)`]);
  }
  const { SHUTDOWN_GRACE_MS: shutdownGrace, SHUTDOWN_TIMEOUT_MS: shutdownTimeout } = values;
  if (shutdownGrace > 0 && shutdownGrace >= shutdownTimeout) {
    throw invalidConfiguration([
      `SHUTDOWN_GRACE_MS="${shutdownGrace}": ` +
        `must be less than SHUTDOWN_TIMEOUT_MS (${shutdownTimeout}), which bounds the whole shutdown, grace included`,
    ]);
  }
  return {
    host: values.HOST,
    port: values.PORT,
    database: values.DATABASE_URL
      ? {
          kind: 'postgres',
          url: values.DATABASE_URL,
          directUrl: values.DATABASE_DIRECT_URL,
          poolSize: values.DATABASE_POOL_SIZE,
          connectTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: values.DATABASE_STATEMENT_TIMEOUT_MS,
          queryTimeoutMs: values.DATABASE_QUERY_TIMEOUT_MS,
        }
      : { kind: 'pglite', dataDir: values.DATA_DIR },
    migrateOnStart: values.MIGRATE_ON_START,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
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
    responseCache: values.RESPONSE_CACHE
      ? { ttlMs: values.RESPONSE_CACHE_TTL_MS, maxBytes: values.RESPONSE_CACHE_MAX_BYTES }
      : null,
    cors: corsConfig(values),
    trustedDocuments: trustedDocuments(values.TRUSTED_DOCUMENTS),
    websocket: { initTimeoutMs: values.WS_INIT_TIMEOUT_MS, maxSubscriptions: values.WS_MAX_SUBSCRIPTIONS },
  };
}
