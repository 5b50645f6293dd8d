import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Database } from '../db.js';
import type { Logger } from '../logger.js';
import type { RedisConnections } from '../redis.js';

export type DependencyState = 'up' | 'down';

export interface Readiness {
  status: 'ready' | 'unready';
  database: DependencyState;
  /** Present when REDIS_URL is set. */
  redis?: DependencyState;
}

/**
 * GET /ready: 503 while the database does not answer (nothing can be served), 200 otherwise, with what each
 * dependency's state is in the body. Redis being down keeps the instance ready: every instance shares the same
 * Redis, so failing readiness on it would take the whole fleet out of the balancer at once, while queries and
 * mutations still work without it (see connectRedis for what degrades).
 */
export function useReadiness(db: Pick<Database, 'ping'>, redis: Pick<RedisConnections, 'isUp'> | undefined, logger: Logger): Plugin {
  return useReadinessCheck({
    endpoint: '/ready',
    check: async ({ fetchAPI }) => {
      let database: DependencyState = 'up';
      try {
        await db.ping();
      } catch (error) {
        logger.warn({ err: error }, 'readiness check failed: database unreachable');
        database = 'down';
      }
      const readiness: Readiness = {
        status: database === 'up' ? 'ready' : 'unready',
        database,
        ...(redis ? { redis: redis.isUp() ? 'up' : 'down' } : {}),
      };
      return new fetchAPI.Response(JSON.stringify(readiness), {
        status: database === 'up' ? 200 : 503,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
    },
  });
}
