import type { Config } from './config.js';
import { openDatabase, type Database } from './db.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import { migrate } from './migrate.js';
import { createTaskEvents } from './task-events.js';
import { buildYoga, type Yoga } from './yoga.js';

export interface App {
  yoga: Yoga;
  db: Database;
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
  try {
    if (config.migrateOnStart) await migrate(db, logger);
  } catch (error) {
    await db.close();
    throw error;
  }
  let taskEvents;
  try {
    taskEvents = await createTaskEvents(config.redisUrl, logger);
  } catch (error) {
    await db.close();
    throw error;
  }
  const yoga = buildYoga({ db, logger, config, pubsub: taskEvents.pubsub, lifecycle });
  return {
    yoga,
    db,
    endStreams: taskEvents.endStreams,
    async close() {
      await yoga.dispose();
      await taskEvents.close();
      await db.close();
    },
  };
}
