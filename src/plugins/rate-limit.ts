import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, requestRefused } from '../errors.js';

export interface RateLimitOptions {
  max: number;
  windowMs: number;
  trustProxy: boolean;
}

function remoteAddressOf(serverContext: unknown): string | undefined {
  if (typeof serverContext !== 'object' || serverContext === null || !('req' in serverContext)) return undefined;
  const { req } = serverContext;
  if (typeof req !== 'object' || req === null || !('socket' in req)) return undefined;
  const { socket } = req;
  return typeof socket === 'object' && socket !== null && 'remoteAddress' in socket && typeof socket.remoteAddress === 'string'
    ? socket.remoteAddress
    : undefined;
}

/** The client address: the socket's peer, or behind a trusted proxy the address that proxy appended last. */
export function clientAddress(request: Request, serverContext: unknown, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return remoteAddressOf(serverContext) ?? 'unknown';
}

/**
 * Counts requests in fixed windows (each key's window starts with its first request) with rate-limiter-flexible:
 * in Redis when the instances share one, so that a client gets `max` requests per window from the whole fleet; in
 * this process's memory otherwise. While Redis is unreachable the count falls back to this process's memory (fail
 * open, but bounded: each instance then allows `max`), because refusing every request would turn a Redis blip into
 * an outage of the whole API.
 */
function createLimiter(options: RateLimitOptions, redis: Redis | undefined): RateLimiterAbstract {
  const limits = { points: options.max, duration: options.windowMs / 1000, keyPrefix: 'taskgraph:rate-limit' };
  if (!redis) return new RateLimiterMemory(limits);
  return new RateLimiterRedis({
    ...limits,
    storeClient: redis,
    // Without it a request would wait for the connection to come back instead of using the fallback counters.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(limits),
  });
}

/**
 * Per-client request limits for GraphQL requests: one plugin counts by client address (put it before
 * authentication, so bad tokens are limited too), the other by token subject (after authentication).
 */
export function createRateLimit(
  options: RateLimitOptions,
  identities: WeakMap<Request, { subject: string }>,
  redis?: Redis,
) {
  const limiter = createLimiter(options, redis);
  const check = async (key: string) => {
    try {
      await limiter.consume(key);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      throw requestRefused(
        ErrorCode.RateLimited,
        429,
        `Too many requests: at most ${options.max} per ${options.windowMs} ms. Retry in ${retryAfterSeconds} s.`,
        { 'Retry-After': String(retryAfterSeconds) },
      );
    }
  };
  const countAddress = (address: string) => check(`ip:${address}`);
  const countSubject = (subject: string) => check(`sub:${subject}`);
  const byAddress: Plugin = {
    async onRequestParse({ request, serverContext }) {
      await countAddress(clientAddress(request, serverContext, options.trustProxy));
    },
  };
  const bySubject: Plugin = {
    async onRequestParse({ request }) {
      const identity = identities.get(request);
      if (identity) await countSubject(identity.subject);
    },
  };
  // The WebSocket transport counts its connections and operations against the same windows, outside Yoga's HTTP hooks.
  return { byAddress, bySubject, countAddress, countSubject };
}

export type RateLimit = ReturnType<typeof createRateLimit>;
