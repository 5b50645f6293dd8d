import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createAccess } from '../../src/access.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db.js';
import type { Logger } from '../../src/logger.js';
import { migrate } from '../../src/migrate.js';
import { createWebSocketTransport, type WebSocketTransport } from '../../src/websocket.js';
import { buildYoga, type Yoga } from '../../src/yoga.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApi {
  yoga: Yoga;
  /** GraphQL over WebSocket for this API, served once a test listens (support/http-server.ts). */
  websocket: WebSocketTransport;
  db: Database;
  /** Every JSON log line the server wrote. */
  logs: Record<string, unknown>[];
  /** Every SQL statement Prisma sent, when the API was started with countQueries. */
  statements: string[];
  graphql<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<Data>>;
  dispose(): Promise<void>;
}

export interface TestApiOptions {
  countQueries?: boolean;
  /** Serve GET /metrics (off in tests unless asked for). */
  metrics?: boolean;
  /** Server configuration as environment variables, read by loadConfig like the real server's. */
  env?: Record<string, string>;
}

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const logs: Record<string, unknown>[] = [];
  const statements: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger: Logger = pino({ level: 'info' }, sink);
  const database: TestDatabase = await createTestDatabase({
    logger,
    onQuery: options.countQueries ? (sql) => statements.push(sql) : undefined,
  });
  await migrate(database.db, logger);
  const config = loadConfig({ METRICS: String(options.metrics ?? false), ...options.env });
  const access = createAccess(config);
  const yoga = buildYoga({ db: database.db, logger, config, access, openSockets: () => websocket.openSockets() });
  const websocket = createWebSocketTransport({ yoga, access, config, logger });
  return {
    yoga,
    websocket,
    db: database.db,
    logs,
    statements,
    async graphql(query, variables, headers = {}) {
      const response = await yoga.fetch('http://taskgraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status' | 'headers'>;
      return { status: response.status, headers: response.headers, ...body } as GraphQLResponse<never>;
    },
    async dispose() {
      await websocket.closeSockets();
      await yoga.dispose();
      await database.dispose();
    },
  };
}

/** One API (and one private database) for the test file. */
export function useTestApi(options: TestApiOptions = {}): () => TestApi {
  let api: TestApi | undefined;
  beforeAll(async () => {
    api = await startTestApi(options);
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
