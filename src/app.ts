import { createAccess } from './access.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import { migrate } from './migrate.js';
import { connectRedis, type RedisConnections } from './redis.js';
import { createTaskEvents } from './schema/task/events.js';
import { createWebSocketTransport, type WebSocketTransport } from './websocket/transport.js';
import { buildYoga, type Yoga } from './yoga.js';

export interface App {
  yoga: Yoga;
  db: Database;
  /** GraphQL over WebSocket, served once an entry attaches it to its server (src/websocket/node.ts, src/websocket/bun.ts). */
  websocket: WebSocketTransport;
  /** Completes open subscription streams (taskEvents) so that in-flight HTTP requests can finish. */
  endStreams(): void;
  close(): Promise<void>;
}

export async function createApp(
  config: Config,
  logger: Logger,
  { database, lifecycle }: { database?: Database; lifecycle?: Readonly<Lifecycle> } = {},
): Promise<App> {
  const db = database ?? (await openDatabase(config.database, { logger }));
  let redis: RedisConnections | undefined;
  try {
    if (config.migrateOnStart) await migrate(db, logger);
    if (config.redisUrl) redis = await connectRedis(config.redisUrl, logger);
  } catch (error) {
    await db.close();
    throw error;
  }
  const taskEvents = createTaskEvents(redis, logger);
  const access = createAccess(config, redis);
  const yoga = buildYoga({
    db,
    logger,
    config,
    pubsub: taskEvents.pubsub,
    redis,
    lifecycle,
    access,
    openSockets: () => websocket.openSockets(),
  });
  const websocket = createWebSocketTransport({ yoga, access, config, logger });
  return {
    yoga,
    db,
    websocket,
    endStreams: taskEvents.endStreams,
    async close() {
      await yoga.dispose();
      await redis?.close();
      await db.close();
    },
  };
}
