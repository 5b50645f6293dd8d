import type { Plugin } from 'graphql-yoga';
import { ErrorCode, requestRefused } from '../errors.js';

export interface RateLimitOptions {
  max: number;
  windowMs: number;
  trustProxy: boolean;
}

/** Fixed windows counted in this process's memory; each key's window starts with its first request. */
export class MemoryRateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweepAt = 0;

  hit(key: string, windowMs: number, now = Date.now()): { count: number; resetAt: number } {
    if (now >= this.nextSweepAt) {
      for (const [expiredKey, window] of this.windows) if (window.resetAt <= now) this.windows.delete(expiredKey);
      this.nextSweepAt = now + windowMs;
    }
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { ...window };
  }
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
 * Per-client request limits for GraphQL requests: one plugin counts by client address (put it before
 * authentication, so bad tokens are limited too), the other by token subject (after authentication).
 */
export function createRateLimit(options: RateLimitOptions, subjects: WeakMap<Request, string>) {
  const store = new MemoryRateLimitStore();
  const check = (key: string) => {
    const { count, resetAt } = store.hit(key, options.windowMs);
    if (count <= options.max) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
    throw requestRefused(
      ErrorCode.RateLimited,
      429,
      `Too many requests: at most ${options.max} per ${options.windowMs} ms. Retry in ${retryAfterSeconds} s.`,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  };
  const countAddress = (address: string) => check(`ip:${address}`);
  const countSubject = (subject: string) => check(`sub:${subject}`);
  const byAddress: Plugin = {
    onRequestParse({ request, serverContext }) {
      countAddress(clientAddress(request, serverContext, options.trustProxy));
    },
  };
  const bySubject: Plugin = {
    onRequestParse({ request }) {
      const subject = subjects.get(request);
      if (subject !== undefined) countSubject(subject);
    },
  };
  // The WebSocket transport counts its connections and operations against the same windows, outside Yoga's HTTP hooks.
  return { byAddress, bySubject, countAddress, countSubject };
}

export type RateLimit = ReturnType<typeof createRateLimit>;
