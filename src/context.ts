import type { YogaInitialContext } from 'graphql-yoga';
import type { Prisma } from './db.js';
import type { Logger } from './logger.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { TaskPubSub } from './task-events.js';

export interface Context extends YogaInitialContext {
  prisma: Prisma;
  requestId: string;
  logger: Logger;
  loaders: Loaders;
  pubsub: TaskPubSub;
}

export function createContextFactory(
  prisma: Prisma,
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
