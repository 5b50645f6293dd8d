import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Database } from '../db.js';
import type { Logger } from '../logger.js';

/** GET /ready: 200 while the database answers, 503 (and a warning in the log) while it does not. */
export function useDatabaseReadiness(db: Pick<Database, 'ping'>, logger: Logger): Plugin {
  return useReadinessCheck({
    endpoint: '/ready',
    check: async () => {
      try {
        await db.ping();
        return true;
      } catch (error) {
        logger.warn({ err: error }, 'readiness check failed: database unreachable');
        return false;
      }
    },
  });
}
