import type { Config } from './config.js';
import type { BearerIdentity } from './plugins/auth.js';
import { createRateLimit, type RateLimit } from './plugins/rate-limit.js';
import type { RedisConnections } from './redis.js';

/**
 * What HTTP and WebSocket share, so that a client is bound to its user and rate-limited alike on both: the verified
 * identity of each HTTP request and the rate limit's counters (in Redis when there is one).
 */
export interface Access {
  identities: WeakMap<Request, BearerIdentity>;
  rateLimit: RateLimit | null;
}

export function createAccess(config: Pick<Config, 'rateLimit' | 'trustProxy'>, redis?: Pick<RedisConnections, 'commands'>): Access {
  const identities = new WeakMap<Request, BearerIdentity>();
  const rateLimit =
    config.rateLimit && createRateLimit({ ...config.rateLimit, trustProxy: config.trustProxy }, identities, redis?.commands);
  return { identities, rateLimit };
}
