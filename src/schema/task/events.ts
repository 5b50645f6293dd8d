import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub, Repeater } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { ErrorCode, requestRefused } from '../../errors.js';
import type { Task } from '../../generated/prisma/client.js';
import type { Logger } from '../../logger.js';
import type { RedisConnections } from '../../redis.js';

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
}

/**
 * Lets a shutdown complete every subscription made through the pub/sub (clients then reconnect elsewhere), and an
 * outage of the event bus end them with an error (clients then catch up by querying and subscribe again).
 */
function withEndableStreams(pubsub: YogaTaskPubSub, isAvailable: () => boolean = () => true) {
  let endStreams = () => {};
  const ended = new Promise<void>((resolve) => (endStreams = resolve));
  let interrupt: (error: GraphQLError) => void = () => {};
  let interrupted: Promise<never>;
  const armInterruption = () => {
    interrupted = new Promise<never>((_resolve, reject) => (interrupt = reject));
    interrupted.catch(() => {});
  };
  armInterruption();
  const taskPubSub: TaskPubSub = {
    publish: (topic, userId, message) => pubsub.publish(topic, userId, message),
    subscribe: (topic, userId) => {
      // Accepting now would leave the stream deaf until the bus is back, with the client unaware of what it missed.
      if (!isAvailable()) throw taskEventsUnavailable();
      return Repeater.race([pubsub.subscribe(topic, userId), ended, interrupted]);
    },
  };
  return {
    pubsub: taskPubSub,
    endStreams: () => endStreams(),
    interruptStreams: () => {
      interrupt(taskEventsInterrupted());
      armInterruption();
    },
  };
}

const taskEventsUnavailable = () =>
  requestRefused(ErrorCode.ServiceUnavailable, 503, 'Task events are unavailable for now. Subscribe again shortly.', {
    'Retry-After': '1',
  });

const taskEventsInterrupted = () =>
  new GraphQLError('Task events were interrupted and some may have been missed. Query tasks to catch up, then subscribe again.', {
    extensions: { code: ErrorCode.ServiceUnavailable },
  });

export function toTaskEventMessage(type: TaskEventType, task: Task): TaskEventMessage {
  const { id, userId, title, titleKey, description, completed, version, createdAt, updatedAt } = task;
  return {
    type,
    task: {
      id,
      userId,
      title,
      titleKey,
      description,
      completed,
      version,
      createdAt: createdAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
    },
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
  const { pubsub, endStreams } = withEndableStreams(createPubSub());
  return { pubsub, endStreams };
}

/**
 * Events through Redis pub/sub, so that every instance delivers every event. When the subscriber connection is lost,
 * open streams end with SERVICE_UNAVAILABLE (events published meanwhile are gone) and new subscriptions are refused
 * until it is back; writes go on, and their events are logged as not published.
 */
export function createRedisTaskEvents(redis: RedisConnections, logger: Logger): TaskEvents {
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient: redis.commands, subscribeClient: redis.subscriber });
  const redisPubSub: YogaTaskPubSub = createPubSub({
    eventTarget: {
      ...eventTarget,
      // The library leaves PUBLISH's promise unhandled, which would crash the process during a Redis outage.
      dispatchEvent(event: CustomEvent) {
        redis.commands
          .publish(event.type, JSON.stringify(event.detail))
          .catch((error: unknown) => logger.warn({ err: error, topic: event.type }, 'task event not published'));
        return true;
      },
    },
  });
  const streams = withEndableStreams(redisPubSub, () => redis.subscriber.status === 'ready');
  redis.onSubscriberLost(streams.interruptStreams);
  return { pubsub: streams.pubsub, endStreams: streams.endStreams };
}

export function createTaskEvents(redis: RedisConnections | undefined, logger: Logger): TaskEvents {
  return redis ? createRedisTaskEvents(redis, logger) : createInProcessTaskEvents();
}
