import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { type DatabaseConfig, isPooledUrl, migrationUrl } from './config.js';
import { lockDataFolder } from './data-folder-lock.js';
import { PrismaClient } from './generated/prisma/client.js';
import type { Logger } from './logger.js';
import { setRoleStatementTimeout } from './pooled-statement-timeout.js';

/** A single connection for work that needs one: migrations, their advisory lock, multi-statement scripts. */
export interface SqlSession {
  query<Row extends object>(sql: string, params?: unknown[]): Promise<Row[]>;
  exec(script: string): Promise<void>;
}

/** Connections of the PostgreSQL pool right now. */
export interface PoolUsage {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  kind: DatabaseConfig['kind'];
  prisma: PrismaClient;
  ping(): Promise<void>;
  /** Null for the embedded database, which has no pool. */
  poolUsage(): PoolUsage | null;
  withSession<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  logger: Logger;
  /** Called with every SQL statement Prisma sends and its parameters (a JSON array); used to prove batching and plans. */
  onQuery?: (sql: string, params: string) => void;
}

export async function openDatabase(config: DatabaseConfig, options: DatabaseOptions): Promise<Database> {
  if (config.kind === 'postgres') {
    const db = openPostgres(config, options);
    if (isPooledUrl(config.url)) {
      try {
        await setRoleStatementTimeout(db.prisma, config.statementTimeoutMs ?? 0);
      } catch (error) {
        await db.close();
        throw error;
      }
    }
    return db;
  }
  await mkdir(config.dataDir, { recursive: true });
  // Before PGlite reads a single page: a second process must leave a folder in use untouched.
  const lock = await lockDataFolder(config.dataDir, options.logger);
  try {
    // Loaded only when used: a PostgreSQL deployment saves the ~35 MB the WASM build costs.
    const { PGlite } = await import('@electric-sql/pglite');
    // PostgreSQL's initdb writes PG_VERSION; without it PGlite creates the cluster, silently, for several seconds.
    const initialized = await access(join(config.dataDir, 'PG_VERSION')).then(() => true, () => false);
    if (!initialized) {
      options.logger.info({ dataDir: config.dataDir }, `creating the embedded database in ${config.dataDir} (first start, takes a few seconds)…`);
    }
    // PostgreSQL's 128 MB of shared buffers live in PGlite's WASM memory and are touched as pages are read: 16 MB
    // takes the idle server from ~370 to ~240 MB RSS; the data files stay in the operating system's page cache.
    const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
    const db = await openPglite(await PGlite.create(config.dataDir, { startParams }), options);
    return {
      ...db,
      close: once(async () => {
        try {
          await db.close();
        } finally {
          await lock.release();
        }
      }),
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

export function openPostgres(
  config: Extract<DatabaseConfig, { kind: 'postgres' }>,
  options: DatabaseOptions,
): Database {
  const connection = {
    connectionString: config.url,
    // Also bounds the wait for a free pooled connection.
    connectionTimeoutMillis: config.connectTimeoutMs,
    // Lets the OS notice a peer that vanished without closing the connection.
    keepAlive: true,
  };
  const pool = new pg.Pool({
    ...connection,
    max: config.poolSize,
    idleTimeoutMillis: 30_000,
    // A pooler refuses it as a startup parameter: openDatabase makes it the role's default there instead.
    statement_timeout: (!isPooledUrl(config.url) && config.statementTimeoutMs) || undefined,
    query_timeout: config.queryTimeoutMs || undefined,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  const prisma = createPrismaClient(new PrismaPg(pool), options);
  return {
    kind: 'postgres',
    prisma,
    async ping() {
      await pool.query('SELECT 1');
    },
    poolUsage: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    // Migrations wait for each other's advisory lock and may run long: their own direct connection, without the
    // timeouts (a role default set for a pooler would apply here too).
    async withSession(work) {
      const client = new pg.Client({ ...connection, connectionString: migrationUrl(config) });
      await client.connect();
      try {
        await client.query('SET statement_timeout = 0');
        return await work({
          query: async <Row extends object>(sql: string, params?: unknown[]) =>
            (await client.query<Row>(sql, params)).rows,
          exec: async (script) => {
            await client.query(script);
          },
        });
      } finally {
        await client.end();
      }
    },
    close: once(async () => {
      await prisma.$disconnect();
      await pool.end();
    }),
  };
}

export async function openPglite(pglite: PGlite, options: DatabaseOptions): Promise<Database> {
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const prisma = createPrismaClient(new PrismaPGlite(pglite), options);
  return {
    kind: 'pglite',
    prisma,
    async ping() {
      await pglite.query('SELECT 1');
    },
    poolUsage: () => null,
    withSession: (work) =>
      work({
        query: async <Row extends object>(sql: string, params?: unknown[]) =>
          (await pglite.query<Row>(sql, params)).rows,
        exec: async (script) => {
          await pglite.exec(script);
        },
      }),
    close: once(async () => {
      await prisma.$disconnect();
      await pglite.close();
    }),
  };
}

function createPrismaClient(adapter: SqlDriverAdapterFactory, options: DatabaseOptions): PrismaClient {
  if (!options.onQuery) return new PrismaClient({ adapter });
  const onQuery = options.onQuery;
  const client: PrismaClient<'query'> = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query, event.params));
  return client;
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
