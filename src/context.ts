import type { YogaInitialContext } from 'graphql-yoga';
import type { PrismaClient } from './generated/prisma/client.js';
import type { Logger } from './logger.js';
import type { TaskPubSub } from './schema/task/events.js';
import { createLoaders, type Loaders } from './schema/task/loaders.js';

export interface Context extends YogaInitialContext {
  prisma: PrismaClient;
  requestId: string;
  logger: Logger;
  loaders: Loaders;
  pubsub: TaskPubSub;
}

export function createContextFactory(
  prisma: PrismaClient,
  logger: Logger,
  requestIdOf: (request: Request) => string,
  pubsub: TaskPubSub,
) {
  return (initial: YogaInitialContext): Omit<Context, keyof YogaInitialContext | 'logger'> => {
    const requestId = requestIdOf(initial.request);
    let requestLogger: Logger | undefined;
    // Few requests log, and a child logger per request showed in profiles. Envelop copies what this returns into the
    // context with Object.assign, which would call a getter at once: the lazy logger goes on the context itself.
    Object.defineProperty(initial, 'logger', {
      enumerable: true,
      configurable: true,
      get: () => (requestLogger ??= logger.child({ requestId })),
    });
    return { prisma, requestId, loaders: createLoaders(prisma), pubsub };
  };
}

/** The HTTP request behind a context, or behind execution args (Envelop's execution phase passes those). */
export function requestOf(contextOrArgs: unknown): Request | undefined {
  const context =
    typeof contextOrArgs === 'object' && contextOrArgs !== null && 'contextValue' in contextOrArgs
      ? contextOrArgs.contextValue
      : contextOrArgs;
  return typeof context === 'object' && context !== null && 'request' in context
    ? (context.request as Request)
    : undefined;
}
