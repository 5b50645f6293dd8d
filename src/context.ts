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
  return (initial: YogaInitialContext): Omit<Context, keyof YogaInitialContext> => {
    const requestId = requestIdOf(initial.request);
    let requestLogger: Logger | undefined;
    return {
      prisma,
      requestId,
      // Few requests log; a child logger per request showed in profiles.
      get logger() {
        return (requestLogger ??= logger.child({ requestId }));
      },
      loaders: createLoaders(prisma),
      pubsub,
    };
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
