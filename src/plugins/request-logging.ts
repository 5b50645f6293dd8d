import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';

const requestIdHeader = 'x-request-id';
const acceptableRequestId = /^[\w.:-]{1,128}$/;

/**
 * Gives each request an id (the caller's x-request-id when it is sane) in `requestIds`, echoes it, and logs the
 * request when it completes.
 */
export function useRequestLogging(logger: Logger, requestIds: WeakMap<Request, string>): Plugin {
  const startedAt = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      const offered = request.headers.get(requestIdHeader);
      requestIds.set(request, offered && acceptableRequestId.test(offered) ? offered : randomUUID());
      startedAt.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const requestId = requestIds.get(request);
      if (requestId) response.headers.set(requestIdHeader, requestId);
      if (logger.isLevelEnabled('info')) {
        const started = startedAt.get(request);
        logger.info(
          {
            requestId,
            method: request.method,
            path: new URL(request.url).pathname,
            status: response.status,
            durationMs: started === undefined ? undefined : Math.round((performance.now() - started) * 10) / 10,
          },
          'request completed',
        );
      }
    },
  };
}
