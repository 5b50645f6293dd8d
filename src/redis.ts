import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * The two connections an instance keeps to Redis: one for commands (PUBLISH, rate-limit counters), one in subscriber
 * mode (a connection that has subscribed can run nothing else). Both reconnect on their own after an outage.
 */
export interface RedisConnections {
  commands: Redis;
  subscriber: Redis;
  /** Whether both connections are established right now. */
  isUp(): boolean;
  /** Runs `listener` each time the subscriber connection is lost after having been established. */
  onSubscriberLost(listener: () => void): void;
  close(): Promise<void>;
}

// A command that gets no answer (a network that drops packets) must not hold a request for long: rate limiting
// then falls back to its per-instance counters.
const commandTimeoutMs = 500;
// A subscriber connection can stay open while nothing passes (a stalled network, a frozen Redis) and would wait for
// events forever; commands notice it by their timeout. It is pinged this often and dropped when the answer is late.
const livenessCheckMs = 5000;
const livenessTimeoutMs = 2000;

/** Pings `client` while it is ready; a late answer drops the connection so that ioredis reconnects and resubscribes. */
function watchLiveness(client: Redis, logger: Logger): NodeJS.Timeout {
  let checking = false;
  const check = async () => {
    if (checking || client.status !== 'ready') return;
    checking = true;
    let answered = false;
    const pong = client.ping().then(
      () => (answered = true),
      () => undefined,
    );
    await Promise.race([pong, sleep(livenessTimeoutMs)]);
    // After a blocked event loop the timer fires first: an answer read in the same turn still counts.
    await setImmediate();
    checking = false;
    if (answered || client.status !== 'ready') return;
    logger.warn({ connection: client.options.connectionName }, 'Redis did not answer a ping in time: reconnecting');
    client.disconnect(true);
  };
  return setInterval(() => void check(), livenessCheckMs).unref();
}

/** Connects to Redis; fails when it cannot be reached at start. Later outages are logged once, and recovered from. */
export async function connectRedis(url: string, logger: Logger): Promise<RedisConnections> {
  // While Redis is away, a command fails at once instead of queueing in memory until it is back.
  const commands = new Redis(url, {
    lazyConnect: true,
    connectionName: 'taskgraph-commands',
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
  });
  // A subscriber must never give up on a command: a rejected SUBSCRIBE would leave a topic deaf.
  const subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: 'taskgraph-subscribe' });
  const lostListeners: (() => void)[] = [];
  let closing = false;
  let up = false;
  const isUp = () => commands.status === 'ready' && subscriber.status === 'ready';
  const noteState = () => {
    if (closing || isUp() === up) return;
    up = isUp();
    if (up) logger.info('Redis connection restored: rate limits are shared and task events flow again');
    else {
      logger.warn(
        'Redis connection lost: rate limits count per instance, task event streams end and new ones are refused until it is back',
      );
    }
  };
  for (const client of [commands, subscriber]) {
    // ioredis reports every failed reconnection attempt; the state changes above say what matters.
    client.on('error', (error: Error) => logger.debug({ err: error }, 'Redis connection error'));
    client.on('ready', noteState);
    client.on('close', noteState);
  }
  let subscriberEstablished = false;
  subscriber.on('ready', () => (subscriberEstablished = true));
  subscriber.on('close', () => {
    if (closing || !subscriberEstablished) return;
    subscriberEstablished = false;
    for (const listener of lostListeners) listener();
  });
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (error) {
    closing = true;
    commands.disconnect();
    subscriber.disconnect();
    throw new Error(`cannot connect to Redis at REDIS_URL: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  up = true;
  const livenessTimer = watchLiveness(subscriber, logger);
  return {
    commands,
    subscriber,
    isUp,
    onSubscriberLost: (listener) => lostListeners.push(listener),
    async close() {
      closing = true;
      clearInterval(livenessTimer);
      // QUIT lets Redis finish what was sent; while Redis is away it would wait for a reconnection that may not come.
      const quit = (client: Redis) =>
        client.status === 'ready' ? Promise.race([client.quit(), sleep(commandTimeoutMs)]) : Promise.resolve();
      await Promise.allSettled([quit(commands), quit(subscriber)]);
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
