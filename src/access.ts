import type { Config } from './config.js';
import { createRateLimit, type RateLimit } from './plugins/rate-limit.js';

/**
 * What HTTP and WebSocket share, so that a client is bound to its user and rate-limited alike on both: the verified
 * token subject of each request (a WebSocket operation gets a request of its own) and the rate limit's counters.
 */
export interface Access {
  subjects: WeakMap<Request, string>;
  rateLimit: RateLimit | null;
}

export function createAccess(config: Pick<Config, 'rateLimit' | 'trustProxy'>): Access {
  const subjects = new WeakMap<Request, string>();
  const rateLimit = config.rateLimit && createRateLimit({ ...config.rateLimit, trustProxy: config.trustProxy }, subjects);
  return { subjects, rateLimit };
}
