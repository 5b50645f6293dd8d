import { GraphQLError } from 'graphql';
import { type Plugin, useErrorHandler } from 'graphql-yoga';
import { requestOf } from '../context.js';
import type { Logger } from '../logger.js';

/** GraphQLErrors we raised ourselves (bad input, not found, refusals) are answers, not failures. */
function isExpected(error: unknown): boolean {
  return error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError);
}

/** Logs every unexpected error (the client sees it masked) with its cause, path and the request id. */
export function useUnexpectedErrorLogging(logger: Logger, requestIds: WeakMap<Request, string>): Plugin {
  return useErrorHandler(({ errors, context }) => {
    const request = requestOf(context);
    const requestId = request ? requestIds.get(request) : undefined;
    for (const error of errors) {
      if (isExpected(error)) continue;
      const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error;
      logger.error({ err: cause, requestId, path: error instanceof GraphQLError ? error.path : undefined }, 'unexpected error');
    }
  });
}
