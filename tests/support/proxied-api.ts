import { loadConfig } from '../../src/config.js';
import { type Database, openDatabase } from '../../src/db.js';
import { migrate } from '../../src/migrate.js';
import { buildYoga, type Yoga } from '../../src/yoga.js';
import { collectLogs, type GraphQLResponse } from './api.js';
import { createPostgresDatabase, type TestDatabase } from './databases.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs?: number;
  queryTimeoutMs?: number;
}

export interface ProxiedApi {
  yoga: Yoga;
  /** The API's own connection pool, which reaches PostgreSQL only through the proxy. */
  db: Database;
  proxy: TcpProxy;
  /** The migrated test database, reached without the proxy (through PgBouncer in its project). */
  direct: TestDatabase & { url: string; directUrl: string };
  logs: Record<string, unknown>[];
  graphql<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Data>>;
  ready(): Promise<number>;
  dispose(): Promise<void>;
}

/** The API on a fresh PostgreSQL database that it reaches through a TCP proxy the test can cut. */
export async function startProxiedApi(timeouts: DatabaseTimeouts): Promise<ProxiedApi> {
  const { logger, logs } = collectLogs();
  const direct = await createPostgresDatabase({ logger });
  await migrate(direct.db, logger);
  const target = new URL(direct.url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxiedUrl = new URL(direct.url);
  proxiedUrl.hostname = '127.0.0.1';
  proxiedUrl.port = String(proxy.port);
  const db = await openDatabase(
    { kind: 'postgres', url: proxiedUrl.toString(), directUrl: direct.directUrl, poolSize: 4, ...timeouts },
    { logger },
  );
  const yoga = buildYoga({ db, logger, config: loadConfig({ GRAPHIQL: 'false', METRICS: 'false' }) });
  return {
    yoga,
    db,
    proxy,
    direct,
    logs,
    async graphql(query, variables) {
      const response = await yoga.fetch('http://taskgraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status' | 'headers'>;
      return { status: response.status, headers: response.headers, ...body } as GraphQLResponse<never>;
    },
    async ready() {
      return (await yoga.fetch('http://taskgraph.test/ready')).status;
    },
    async dispose() {
      proxy.restore();
      await yoga.dispose();
      await db.close();
      await proxy.close();
      await direct.dispose();
    },
  };
}
