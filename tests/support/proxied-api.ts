import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { migrate } from '../../src/migrate.js';
import { buildYoga } from '../../src/yoga.js';
import { collectLogs, serveTestApi, type TestApi } from './api.js';
import { createPostgresDatabase, type TestDatabase } from './databases.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs?: number;
  queryTimeoutMs?: number;
}

/** A test API whose connection pool (`db`) reaches PostgreSQL only through `proxy`. */
export interface ProxiedApi extends TestApi {
  proxy: TcpProxy;
  /** The migrated test database, reached without the proxy (through PgBouncer in its project). */
  direct: TestDatabase & { url: string; directUrl: string };
  /** The status of GET /ready. */
  ready(): Promise<number>;
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
  const api = serveTestApi({
    db,
    logs,
    yoga,
    async close() {
      proxy.restore();
      await db.close();
      await proxy.close();
      await direct.dispose();
    },
  });
  return { ...api, proxy, direct, ready: async () => (await api.fetch('/ready')).status };
}

/** One proxied API for the describe block. */
export function useProxiedApi(timeouts: DatabaseTimeouts): () => ProxiedApi {
  let api: ProxiedApi | undefined;
  beforeAll(async () => {
    api = await startProxiedApi(timeouts);
  });
  afterAll(async () => {
    await api?.dispose();
  });
  return () => {
    if (!api) throw new Error('the proxied API is not started yet');
    return api;
  };
}
