import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub, Repeater } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Task } from '../../generated/prisma/client.js';
import type { Logger } from '../../logger.js';

export const taskEventTypes = ['CREATED', 'UPDATED', 'DELETED'] as const;
export type TaskEventType = (typeof taskEventTypes)[number];

/** What travels between instances: JSON, so timestamps are ISO strings. */
export interface TaskEventMessage {
  type: TaskEventType;
  task: Omit<Task, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };
}

type YogaTaskPubSub = PubSub<{ taskEvents: [userId: string, message: TaskEventMessage] }>;

/** Topics are scoped by user id: a subscriber only ever hears about its own user's tasks. */
export interface TaskPubSub {
  publish(topic: 'taskEvents', userId: string, message: TaskEventMessage): void;
  subscribe(topic: 'taskEvents', userId: string): AsyncIterable<TaskEventMessage>;
}

export interface TaskEvents {
  pubsub: TaskPubSub;
  /** Completes every open subscription, so that a graceful shutdown is not held up by long-lived streams. */
  endStreams(): void;
  close(): Promise<void>;
}

/** Lets a shutdown complete every subscription made through the pub/sub; clients then reconnect elsewhere. */
function withEndableStreams(pubsub: YogaTaskPubSub): Pick<TaskEvents, 'pubsub' | 'endStreams'> {
  let endStreams = () => {};
  const ended = new Promise<void>((resolve) => (endStreams = resolve));
  return {
    pubsub: {
      publish: (topic, userId, message) => pubsub.publish(topic, userId, message),
      subscribe: (topic, userId) => Repeater.race([pubsub.subscribe(topic, userId), ended]),
    },
    endStreams: () => endStreams(),
  };
}

export function toTaskEventMessage(type: TaskEventType, task: Task): TaskEventMessage {
  const { id, userId, title, description, completed, createdAt, updatedAt } = task;
  return {
    type,
    task: { id, userId, title, description, completed, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() },
  };
}

/** Tells the user's subscribers about a write that has succeeded. */
export function publishTaskEvent(pubsub: TaskPubSub, type: TaskEventType, task: Task): void {
  pubsub.publish('taskEvents', task.userId, toTaskEventMessage(type, task));
}

export function fromTaskEventMessage(message: TaskEventMessage): { type: TaskEventType; task: Task } {
  return {
    type: message.type,
    task: { ...message.task, createdAt: new Date(message.task.createdAt), updatedAt: new Date(message.task.updatedAt) },
  };
}

export function createInProcessTaskEvents(): TaskEvents {
  return { ...withEndableStreams(createPubSub()), close: async () => {} };
}

/**
 * Events through Redis pub/sub, so that every instance delivers every event. Fails when Redis cannot be reached at
 * start; later outages are logged and the clients reconnect on their own.
 */
export async function createRedisTaskEvents(url: string, logger: Logger): Promise<TaskEvents> {
  const publishClient = new Redis(url, { lazyConnect: true, connectionName: 'taskgraph-publish' });
  // A subscriber must never give up on a command: a rejected SUBSCRIBE would leave a topic deaf.
  const subscribeClient = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: 'taskgraph-subscribe' });
  for (const client of [publishClient, subscribeClient]) {
    client.on('error', (error: Error) => logger.warn({ err: error }, 'Redis connection error'));
  }
  const close = async () => {
    publishClient.disconnect();
    subscribeClient.disconnect();
  };
  try {
    await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  } catch (error) {
    await close();
    throw new Error(`cannot connect to Redis at REDIS_URL: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  const redisPubSub: YogaTaskPubSub = createPubSub({
    eventTarget: {
      ...eventTarget,
      // The library leaves PUBLISH's promise unhandled, which would crash the process during a Redis outage.
      dispatchEvent(event: CustomEvent) {
        publishClient
          .publish(event.type, JSON.stringify(event.detail))
          .catch((error: unknown) => logger.error({ err: error, topic: event.type }, 'task event not published'));
        return true;
      },
    },
  });
  return {
    ...withEndableStreams(redisPubSub),
    async close() {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}

export function createTaskEvents(redisUrl: string | undefined, logger: Logger): Promise<TaskEvents> {
  return redisUrl ? createRedisTaskEvents(redisUrl, logger) : Promise.resolve(createInProcessTaskEvents());
}
