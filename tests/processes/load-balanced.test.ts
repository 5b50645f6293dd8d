import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createPostgresDatabase, type TestDatabase, testDatabaseKind } from '../support/databases.js';
import { type Balancer, checkIntervalMs, haproxyInstalled, startHaproxy } from '../../scripts/bench/haproxy.js';
import { freePort } from '../../scripts/bench/processes.js';
import { createTaskMutation, tasksQuery, updateTaskMutation } from '../support/operations.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { readStoredTasks } from '../support/stored-tasks.js';
import { subscribeTaskEvents, type TaskEventResult, type TaskEventStream, untilLive } from '../support/task-events.js';

const redisUrl = process.env.TEST_REDIS_URL;
const haproxy = haproxyInstalled();
if (testDatabaseKind === 'postgres' && (!redisUrl || !haproxy)) {
  const missing = [!redisUrl && 'TEST_REDIS_URL is not set', !haproxy && 'haproxy is not installed'].filter(Boolean).join(', ');
  const message = `[taskgraph] ${missing}: the load-balanced tests (three instances behind HAProxy) are SKIPPED.`;
  if (process.env.CI === 'true') throw new Error(`${message} In CI they must run (.ci/run installs haproxy).`);
  console.warn(`\n${message}\n`);
}

const instanceNames = ['a', 'b', 'c'] as const;
type InstanceName = (typeof instanceNames)[number];
const clientLoops = 4;
// Longer than HAProxy needs to see /ready fail (one check interval) and to finish the requests it already sent.
const shutdownGraceMs = 1500;

interface Outcome {
  operation: 'create' | 'update' | 'list';
  sentAt: number;
  ok: boolean;
  detail?: string;
}

/**
 * A bounded mixed client loop through the balancer: each client, for its own user, creates a task, renames its
 * first task to the round's revision and lists a page, until stopped. Records every outcome, the acknowledged
 * creates and, per client, the last acknowledged and last attempted revision.
 */
function startMixedLoad(url: string, userPrefix: string) {
  let running = true;
  const outcomes: Outcome[] = [];
  const acknowledged: string[] = [];
  const revisions = new Map<string, { taskId: string; acknowledged: number; attempted: number }>();
  const send = async (operation: Outcome['operation'], query: string, variables: Record<string, unknown>) => {
    const sentAt = performance.now();
    try {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(20_000),
      });
      // The balancer's own refusals (502, 503) are HTML.
      const text = await response.text();
      const body = response.headers.get('content-type')?.includes('json')
        ? (JSON.parse(text) as { data?: Record<string, { id: string } | undefined>; errors?: unknown[] })
        : undefined;
      const ok = response.status === 200 && body !== undefined && !body.errors;
      outcomes.push({ operation, sentAt, ok, detail: ok ? undefined : `${response.status} ${text.slice(0, 200)}` });
      return ok ? body.data : undefined;
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      outcomes.push({ operation, sentAt, ok: false, detail: `${String(error)}${cause}` });
      return undefined;
    }
  };
  const loops = Array.from({ length: clientLoops }, async (_, client) => {
    const userId = `${userPrefix}-${client}`;
    for (let round = 1; running; round += 1) {
      const id = (await send('create', createTaskMutation, { userId, input: { title: `task ${round}` } }))?.createTask?.id;
      if (id) acknowledged.push(id);
      const revision = revisions.get(userId) ?? (id ? { taskId: id, acknowledged: 0, attempted: 0 } : undefined);
      if (revision) {
        revisions.set(userId, revision);
        revision.attempted = round;
        const input = { title: `revision ${round}` };
        if (await send('update', updateTaskMutation, { userId, id: revision.taskId, input })) revision.acknowledged = round;
      }
      await send('list', tasksQuery, { userId, first: 5 });
    }
  });
  return {
    outcomes,
    acknowledged,
    revisions,
    userIds: Array.from({ length: clientLoops }, (_, client) => `${userPrefix}-${client}`),
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** A subscriber that, like a real client, subscribes again whenever its stream ends (completed or failed). */
function startFollower(url: string, userId: string) {
  const ends: { completed: boolean; errors: unknown[] }[] = [];
  const earlier: TaskEventResult[] = [];
  let stream: TaskEventStream = subscribeTaskEvents({ url: `${url}/graphql`, userId });
  let running = true;
  const watching = (async () => {
    while (running) {
      await sleep(50);
      if (!stream.completed() && stream.errors.length === 0) continue;
      ends.push({ completed: stream.completed(), errors: [...stream.errors] });
      earlier.push(...stream.received);
      stream.close();
      stream = subscribeTaskEvents({ url: `${url}/graphql`, userId });
    }
  })();
  return {
    userId,
    ends,
    current: () => stream,
    events: () => [...earlier, ...stream.received],
    async stop() {
      running = false;
      await watching;
      stream.close();
    },
  };
}

async function createMarker(url: string, userId: string, title: string): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: createTaskMutation, variables: { userId, input: { title } } }),
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"')) throw new Error(`marker not created: ${response.status} ${text}`);
}

describe.runIf(testDatabaseKind === 'postgres' && redisUrl && haproxy)(
  'three instances behind HAProxy on one PostgreSQL and Redis (PostgreSQL only: PGlite is one process\'s embedded database)',
  () => {
    let database: (TestDatabase & { url: string }) | undefined;
    let balancer: Balancer | undefined;
    const ports = new Map<InstanceName, number>();
    const instances = new Map<InstanceName, ServerProcess>();

    const startInstance = async (name: InstanceName, migrate: boolean) => {
      if (!database || !redisUrl) throw new Error('the database and Redis are not set up');
      const port = ports.get(name) ?? (await freePort());
      ports.set(name, port);
      const server = await startServerProcess(
        {
          PORT: String(port),
          DATABASE_URL: database.url,
          DATABASE_POOL_SIZE: '4',
          REDIS_URL: redisUrl,
          MIGRATE_ON_START: String(migrate),
          SHUTDOWN_GRACE_MS: String(shutdownGraceMs),
          SHUTDOWN_TIMEOUT_MS: '10000',
          GRAPHIQL: 'false',
        },
        'compiled',
      );
      instances.set(name, server);
      return server;
    };
    const instance = (name: InstanceName) => {
      const server = instances.get(name);
      if (!server) throw new Error(`instance ${name} is not running`);
      return server;
    };
    const lb = () => {
      if (!balancer) throw new Error('the balancer is not running');
      return balancer;
    };

    /** Every acknowledged create is stored, and every client's task holds a revision it was sent, not older than the last acknowledged. */
    async function expectNoAcknowledgedWriteLost(load: ReturnType<typeof startMixedLoad>) {
      if (!database) throw new Error('no database');
      const stored = await readStoredTasks({ kind: 'postgres', url: database.url });
      const storedIds = new Set(stored.map((task) => task.id));
      expect(load.acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
      for (const revision of load.revisions.values()) {
        const title = stored.find((task) => task.id === revision.taskId)?.title ?? '';
        const storedRevision = Number(/^revision (\d+)$/.exec(title)?.[1] ?? 0);
        expect(storedRevision).toBeGreaterThanOrEqual(revision.acknowledged);
        expect(storedRevision).toBeLessThanOrEqual(revision.attempted);
      }
    }

    async function untilAcknowledged(load: ReturnType<typeof startMixedLoad>, count: number) {
      await expect.poll(() => load.acknowledged.length, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(count);
    }

    beforeAll(async () => {
      database = await createPostgresDatabase({ logger: pino({ level: 'silent' }), poolSize: 1 });
      // The first instance applies the migrations; the others start on the migrated database.
      await startInstance('a', true);
      await Promise.all([startInstance('b', false), startInstance('c', false)]);
      balancer = await startHaproxy(instanceNames.map((name) => ({ name, port: ports.get(name) ?? 0 })));
    }, 150_000);

    afterAll(async () => {
      await balancer?.stop();
      await Promise.all([...instances.values()].map((server) => server.stop('SIGKILL')));
      await database?.dispose();
    });

    it('a rolling restart (SIGTERM, restart, wait UP, one instance at a time) fails no request and loses no write; subscribers reconnect', async () => {
      onTestFailed(() => console.info(`HAProxy's log:\n${lb().output()}`));
      const load = startMixedLoad(lb().url, 'rolling');
      const followers = load.userIds.slice(0, 2).map((userId) => startFollower(lb().url, userId));
      try {
        for (const follower of followers) await untilLive(follower.current(), (title) => createMarker(lb().url, follower.userId, title));
        await untilAcknowledged(load, 20);
        for (const name of instanceNames) {
          const stoppingAt = performance.now();
          expect(await instance(name).stop('SIGTERM')).toBe(0);
          const stoppedAt = performance.now();
          await startInstance(name, false);
          const startedAt = performance.now();
          await lb().waitFor(name, 'UP');
          console.info(
            `[load-balanced] ${name}: stopped in ${Math.round(stoppedAt - stoppingAt)} ms, started in ` +
              `${Math.round(startedAt - stoppedAt)} ms, UP after ${Math.round(performance.now() - startedAt)} ms`,
          );
        }
        await untilAcknowledged(load, load.acknowledged.length + 10);
      } finally {
        await load.stop();
      }

      const failed = load.outcomes.filter((outcome) => !outcome.ok);
      console.info(
        `[load-balanced] rolling restart: ${load.outcomes.length} requests, ${failed.length} failed, ` +
          `${load.acknowledged.length} acknowledged creates, subscriber stream ends: ${followers.map((f) => f.ends.length).join(', ')}`,
      );
      expect(failed).toEqual([]);
      await expectNoAcknowledgedWriteLost(load);
      for (const follower of followers) {
        // Each stream was on one of the restarted instances: it was completed (not broken) and the client came back.
        expect(follower.ends.length).toBeGreaterThanOrEqual(1);
        expect(follower.ends.filter((end) => !end.completed)).toEqual([]);
        await untilLive(follower.current(), (title) => createMarker(lb().url, follower.userId, title));
        const created = follower.events().filter((event) => event.type === 'CREATED').map((event) => event.task.id);
        expect(created.length).toBe(new Set(created).size);
        await follower.stop();
      }
    }, 150_000);

    it('kill -9 of one instance fails only the requests in flight on it, HAProxy routes around it within its check interval, and no acknowledged write is lost', async () => {
      onTestFailed(() => console.info(`HAProxy's log:\n${lb().output()}`));
      const load = startMixedLoad(lb().url, 'killed');
      const follower = startFollower(lb().url, load.userIds[0] ?? '');
      let killedAt = 0;
      let exitedAt = 0;
      let downAt = 0;
      try {
        await untilLive(follower.current(), (title) => createMarker(lb().url, follower.userId, title));
        await untilAcknowledged(load, 20);
        const killing = instance('b').stop('SIGKILL');
        killedAt = performance.now();
        await killing;
        exitedAt = performance.now();
        downAt = await lb().waitFor('b', 'DOWN', 10_000);
        const acknowledgedWhenDown = load.acknowledged.length;
        await untilAcknowledged(load, acknowledgedWhenDown + 20);
      } finally {
        await load.stop();
      }
      await startInstance('b', false);
      await lb().waitFor('b', 'UP');

      const failed = load.outcomes.filter((outcome) => !outcome.ok);
      const routedAroundMs = Math.round(downAt - killedAt);
      console.info(
        `[load-balanced] kill -9: ${load.outcomes.length} requests, ${failed.length} failed (${clientLoops} clients), ` +
          `the process was gone ${Math.round(exitedAt - killedAt)} ms after the kill, HAProxy saw it DOWN ${routedAroundMs} ms ` +
          `after the kill (check interval ${checkIntervalMs} ms)`,
      );
      // Each client has at most one request in flight; only those on the killed instance can fail.
      expect(failed.length).toBeLessThanOrEqual(clientLoops);
      // On a busy machine the process can take a moment to die after SIGKILL: requests sent until then may be on it.
      expect(failed.filter((outcome) => outcome.sentAt > exitedAt)).toEqual([]);
      // One check interval plus the check itself; generous for a loaded machine.
      expect(routedAroundMs).toBeLessThan(checkIntervalMs * 5);
      await expectNoAcknowledgedWriteLost(load);
      // The subscriber whose stream was on the killed instance got an error and came back on another one.
      await untilLive(follower.current(), (title) => createMarker(lb().url, follower.userId, title));
      await follower.stop();
    }, 150_000);
  },
);

describe.runIf(testDatabaseKind === 'pglite')('three instances behind HAProxy', () => {
  it.skip('runs on PostgreSQL only: PGlite is an embedded database that one process owns, so instances cannot share it', () => {});
});
