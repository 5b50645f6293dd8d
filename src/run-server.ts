import { setTimeout as delay } from 'node:timers/promises';
import { type App, createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { DataFolderInUseError } from './data-folder-lock.js';
import { isMissingDatabase } from './database-errors.js';
import { createLifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';

/** An HTTP server serving the app, as started by an entry (src/server.ts on Node, src/bun-server.ts on Bun). */
export interface ListeningServer {
  port: number;
  /** Drains as described in src/drain.ts; resolves false when `timeoutMs` passed and connections were cut. */
  drain(timeoutMs: number): Promise<boolean>;
}

export type Listen = (app: App, config: Config) => Promise<ListeningServer>;

// For the start-up failure handler, which runs outside start.
let startedWith: Config | undefined;

/** One line with the fix, for a DATABASE_URL naming a database that does not exist yet. */
function missingDatabaseMessage(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const user = decodeURIComponent(url.username) || 'postgres';
  const host = url.hostname || 'localhost';
  const port = url.port || '5432';
  return (
    `taskgraph cannot start: the database "${name}" does not exist on ${host}:${port}; create it with ` +
    `\`createdb -h ${host} -p ${port} -U ${user} ${name}\` (or in psql: CREATE DATABASE "${name}";)`
  );
}

async function start(listen: Listen) {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  startedWith = config;
  const logger = createLogger(config.logLevel, config.logFormat);
  const lifecycle = createLifecycle();
  const app = await createApp(config, logger, { lifecycle });
  const server = await listen(app, config);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const deadline = performance.now() + config.shutdownTimeoutMs;
    lifecycle.shuttingDown = true;
    const graceMs = config.shutdownGraceMs;
    if (graceMs > 0) {
      // Balancers learn from /ready that this instance is leaving; until they do, they still send it requests.
      logger.info({ signal, graceMs }, 'shutting down: /ready fails, serving until the grace period ends');
      await delay(graceMs);
      logger.info('grace period over: finishing in-flight requests');
    } else {
      logger.info({ signal }, 'shutting down: finishing in-flight requests');
    }
    // Sockets first (and new upgrades 503 from now on): after 1001 a graphql-ws client resubscribes elsewhere, after
    // a completed subscription it would not.
    const socketsClosed = app.websocket.closeSockets();
    // Event streams never finish on their own: end them so draining waits only for ordinary requests.
    app.endStreams();
    const drained = await server.drain(Math.max(0, deadline - performance.now()));
    await socketsClosed;
    if (!drained) logger.warn('shutdown timed out: closed the remaining connections');
    await app.close();
    logger.info('shutdown complete');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));

  // Announced only now: whoever waits for this line may send a signal at once.
  logger.info(
    {
      port: server.port,
      pid: process.pid,
      database: app.db.kind,
      graphiql: config.graphiql,
      events: config.redisUrl ? 'redis' : 'in-process',
      metrics: config.metrics,
    },
    `taskgraph listening on http://localhost:${server.port}/graphql`,
  );
}

function exitForStartupFailure(error: unknown): never {
  if (startedWith?.database.kind === 'postgres' && isMissingDatabase(error)) {
    console.error(missingDatabaseMessage(startedWith.database.directUrl ?? startedWith.database.url));
    process.exit(2);
  }
  // Raised while opening the database too (a data folder another process holds): nothing to retry, exit as for a bad setting.
  if (error instanceof ConfigError) {
    console.error(error instanceof DataFolderInUseError ? `taskgraph cannot start: ${error.message}` : error.message);
    process.exit(2);
  }
  console.error(`taskgraph failed to start: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && error.stack) console.error(error.stack);
  process.exit(1);
}

/**
 * Runs the API as a process: reads the settings, opens the app, lets `listen` serve it, and on SIGTERM/SIGINT
 * fails /ready, waits out SHUTDOWN_GRACE_MS, closes sockets and streams, drains and exits 0. Start-up failures exit
 * 2 (a setting to fix) or 1 with one line saying why.
 */
export function runServer(listen: Listen): void {
  start(listen).catch(exitForStartupFailure);
}
