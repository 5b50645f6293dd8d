import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * Where cached answers live, and the generation of each user: a number every write of the user changes, which is
 * part of the key of every answer about the user, so that a write makes the user's earlier answers unreachable.
 */
export interface ResponseCacheStore {
  /** The generations of these users as one string for a key; undefined when they cannot be known (serve uncached). */
  generations(userIds: readonly string[]): Promise<string | undefined>;
  /** Moves these users to new generations; resolves once no later lookup can find their earlier answers. */
  bump(userIds: readonly string[]): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Stores the answer of an operation that names `userIds` (a store may drop it when one of them is written). */
  set(key: string, answer: string, ttlMs: number, userIds: readonly string[]): Promise<void>;
}

// Generations kept for the most recently written users (a few MB at most).
const maxGenerations = 50_000;

/**
 * This process's memory: answers and their keys up to `maxBytes` in all (the oldest stored go first). A write drops
 * its users' answers at once: they can no longer be reached, and kept they would only make garbage collection work
 * harder. Generations are kept for the most recently written users; a user whose generation was dropped gets the
 * clock's value at the last drop, which no earlier key of that user can carry unless the user was not written since.
 */
export function createMemoryStore(maxBytes: number): ResponseCacheStore {
  const entries = new Map<string, { answer: string; expiresAt: number; bytes: number; userIds: readonly string[] }>();
  const keysOf = new Map<string, Set<string>>();
  const generationOf = new Map<string, number>();
  let storedBytes = 0;
  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    storedBytes -= entry.bytes;
    for (const userId of entry.userIds) {
      const keys = keysOf.get(userId);
      keys?.delete(key);
      if (keys?.size === 0) keysOf.delete(userId);
    }
  };
  let clock = 0;
  let floor = 0;
  return {
    generations(userIds) {
      return Promise.resolve(userIds.map((userId) => generationOf.get(userId) ?? floor).join(','));
    },
    bump(userIds) {
      for (const userId of userIds) {
        for (const key of keysOf.get(userId) ?? []) drop(key);
        clock += 1;
        generationOf.delete(userId);
        generationOf.set(userId, clock);
      }
      for (const userId of generationOf.keys()) {
        if (generationOf.size <= maxGenerations) break;
        generationOf.delete(userId);
        floor = clock;
      }
      return Promise.resolve();
    },
    get(key) {
      const entry = entries.get(key);
      if (!entry) return Promise.resolve(undefined);
      if (entry.expiresAt > Date.now()) return Promise.resolve(entry.answer);
      drop(key);
      return Promise.resolve(undefined);
    },
    set(key, answer, ttlMs, userIds) {
      drop(key);
      const bytes = Buffer.byteLength(answer) + key.length;
      if (bytes > maxBytes) return Promise.resolve();
      entries.set(key, { answer, expiresAt: Date.now() + ttlMs, bytes, userIds });
      storedBytes += bytes;
      for (const userId of userIds) {
        const keys = keysOf.get(userId);
        if (keys) keys.add(key);
        else keysOf.set(userId, new Set([key]));
      }
      for (const oldest of entries.keys()) {
        if (storedBytes <= maxBytes) break;
        drop(oldest);
      }
      return Promise.resolve();
    },
  };
}

const prefix = 'taskgraph:response-cache:';
/** Part of every key: moving it makes every cached answer unreachable, on every instance. */
export const responseCacheEpochKey = `${prefix}epoch`;
const generationKey = (userId: string) => `${prefix}generation:${userId}`;
const entryKey = (key: string) => `${prefix}entry:${key}`;
const recoveryRetryMs = 1000;

/**
 * Redis, shared by every instance: generations by INCR (no expiry: with an eviction policy, Redis must evict only
 * keys that expire, volatile-*), answers with a PX expiry. While Redis cannot be reached nothing is served from
 * cache. After losing its connection, or a write whose invalidation did not reach Redis, an instance moves the epoch
 * once Redis answers again, before it uses the cache again.
 */
export function createRedisStore(redis: Redis, logger: Logger): ResponseCacheStore {
  let epochMoveOwed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const usable = () => redis.status === 'ready' && !epochMoveOwed;
  const moveEpoch = async () => {
    retryTimer = undefined;
    if (!epochMoveOwed) return;
    try {
      await redis.incr(responseCacheEpochKey);
      epochMoveOwed = false;
      logger.info('response cache: every cached answer was dropped, as writes may have missed their invalidation while Redis was away');
    } catch {
      retryTimer = setTimeout(() => void moveEpoch(), recoveryRetryMs).unref();
    }
  };
  // An instance cut off from Redis cannot tell which writes elsewhere failed to invalidate: each one drops the cache
  // when it is back, before serving from it.
  redis.on('close', () => (epochMoveOwed = true));
  redis.on('ready', () => void moveEpoch());
  const owe = () => {
    epochMoveOwed = true;
    retryTimer ??= setTimeout(() => void moveEpoch(), recoveryRetryMs).unref();
  };
  return {
    async generations(userIds) {
      if (!usable()) return undefined;
      try {
        const values = await redis.mget(responseCacheEpochKey, ...userIds.map(generationKey));
        return values.map((value) => value ?? '0').join(',');
      } catch {
        return undefined;
      }
    },
    async bump(userIds) {
      if (userIds.length === 0) return;
      try {
        const pipeline = redis.multi();
        for (const userId of userIds) pipeline.incr(generationKey(userId));
        const results = await pipeline.exec();
        if (!results || results.some(([error]) => error)) throw new Error('INCR failed');
      } catch (error) {
        logger.warn({ err: error, userIds }, 'response cache: a write could not invalidate its user in Redis; the whole cache is dropped once Redis answers');
        owe();
      }
    },
    async get(key) {
      if (!usable()) return undefined;
      try {
        return (await redis.get(entryKey(key))) ?? undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, answer, ttlMs) {
      if (!usable()) return;
      try {
        await redis.set(entryKey(key), answer, 'PX', ttlMs);
      } catch {
        // A lost entry is a later miss.
      }
    },
  };
}
