import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createAccess } from '../../src/access.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db.js';
import type { Logger } from '../../src/logger.js';
import { migrate } from '../../src/migrate.js';
import { connectRedis } from '../../src/redis.js';
import { createTaskEvents } from '../../src/schema/task/events.js';
import { createWebSocketTransport, type WebSocketTransport } from '../../src/websocket/transport.js';
import { buildYoga, type Yoga } from '../../src/yoga.js';
import { createTestDatabase } from './databases.js';

/** Where tests address the API through `yoga.fetch`: no port, no network. */
export const testOrigin = 'http://taskgraph.test';
export const testGraphqlUrl = `${testOrigin}/graphql`;

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApi {
  yoga: Yoga;
  /** GraphQL over WebSocket, served once attached to a real server (see listen in http-server.ts). */
  websocket?: WebSocketTransport;
  db: Database;
  /** Every JSON log line the server wrote. */
  logs: Record<string, unknown>[];
  /** Every SQL statement Prisma sent, when the API was started with countQueries. */
  statements: string[];
  /** The parameters (a JSON array) of each of `statements`, at the same index. */
  statementParams: string[];
  /** A request to a path of the API, e.g. `fetch('/ready')`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  graphql<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  /** Runs the operation; returns its response and the SQL statements it caused (start the API with countQueries). */
  graphqlWithStatements<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ response: GraphQLResponse<Data>; statements: string[] }>;
  /** What `work` resolved with and the SQL statements it caused (start the API with countQueries). */
  statementsDuring<Result>(work: () => Promise<Result>): Promise<{ result: Result; statements: string[] }>;
  dispose(): Promise<void>;
}

export interface TestApiOptions {
  countQueries?: boolean;
  /** Serve GET /metrics (off in tests unless asked for). */
  metrics?: boolean;
  /** Server configuration as environment variables, read by loadConfig like the real server's. */
  env?: Record<string, string>;
  /** Redis for rate limits and task events, on a connection of this API's own (as each instance has). */
  redisUrl?: string;
}

/** A logger at level info that keeps every JSON line it writes. */
export function collectLogs(): { logger: Logger; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), logs };
}

/** A fetch Response of the GraphQL endpoint as a test reads it. */
export async function readGraphQLResponse<Data = Record<string, unknown>>(response: Response): Promise<GraphQLResponse<Data>> {
  const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

/** The API on a database the caller opened and migrated; `dispose` disposes Yoga, then runs `close`. */
export function serveTestApi(parts: {
  db: Database;
  logs: Record<string, unknown>[];
  statements?: string[];
  statementParams?: string[];
  yoga: Yoga;
  websocket?: WebSocketTransport;
  close: () => Promise<void>;
}): TestApi {
  const { db, logs, yoga, websocket, statements = [], statementParams = [] } = parts;
  const fetch = (path: string, init?: RequestInit) => Promise.resolve(yoga.fetch(`${testOrigin}${path}`, init ?? {}));
  const graphql = async <Data>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
    readGraphQLResponse<Data>(
      await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
      }),
    );
  const statementsDuring = async <Result>(work: () => Promise<Result>) => {
    const before = statements.length;
    const result = await work();
    return { result, statements: statements.slice(before) };
  };
  return {
    yoga,
    websocket,
    db,
    logs,
    statements,
    statementParams,
    fetch,
    graphql,
    async graphqlWithStatements<Data>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      const { result: response, statements: caused } = await statementsDuring(() => graphql<Data>(query, variables, headers));
      return { response, statements: caused };
    },
    statementsDuring,
    async dispose() {
      await websocket?.closeSockets();
      await yoga.dispose();
      await parts.close();
    },
  };
}

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const { logger, logs } = collectLogs();
  const statements: string[] = [];
  const statementParams: string[] = [];
  const database = await createTestDatabase({
    logger,
    onQuery: options.countQueries
      ? (sql, params) => {
          statements.push(sql);
          statementParams.push(params);
        }
      : undefined,
  });
  await migrate(database.db, logger);
  const config = loadConfig({ METRICS: String(options.metrics ?? false), ...options.env });
  const redis = options.redisUrl ? await connectRedis(options.redisUrl, logger) : undefined;
  const access = createAccess(config, redis);
  const yoga = buildYoga({
    db: database.db,
    logger,
    config,
    redis,
    pubsub: createTaskEvents(redis, logger).pubsub,
    access,
    openSockets: () => websocket.openSockets(),
  });
  const websocket = createWebSocketTransport({ yoga, access, config, logger });
  return serveTestApi({
    db: database.db,
    logs,
    statements,
    statementParams,
    yoga,
    websocket,
    async close() {
      await redis?.close();
      await database.dispose();
    },
  });
}

/**
 * One API (and one private database) for the test file or describe block. Pass a function when the options are
 * known only once earlier hooks ran (a key file written in beforeAll, a port).
 */
export function useTestApi(options: TestApiOptions | (() => TestApiOptions) = {}): () => TestApi {
  let api: TestApi | undefined;
  beforeAll(async () => {
    api = await startTestApi(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await api?.dispose();
  });
  return () => {
    if (!api) throw new Error('the test API is not started yet');
    return api;
  };
}

let userCounter = 0;
/** A user id no other test in the file uses, so tests need no cleanup between them. */
export function uniqueUserId(label = 'user'): string {
  userCounter += 1;
  return `${label}-${userCounter}-${Math.random().toString(36).slice(2, 8)}`;
}
