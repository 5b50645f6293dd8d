// What idle WebSocket subscriptions cost the server: RSS and CPU of the compiled server with N sockets, each with one
// taskEvents subscription, open and silent through several keep-alive rounds.
//   npx tsc -p tsconfig.build.json --noCheck && npx tsx scripts/bench/idle-sockets.ts [--sockets 1000] [--idle-seconds 30]
// Embedded database in a temporary folder, or PostgreSQL with DATABASE_URL set.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';
import { cpuTimeMs, freePort, residentBytes, startServer } from './processes.js';

const { values: options } = parseArgs({
  options: { sockets: { type: 'string', default: '1000' }, 'idle-seconds': { type: 'string', default: '30' } },
});
const socketCount = Number(options.sockets);
const idleSeconds = Number(options['idle-seconds']);
const settleMs = 3000;

const log = (message: string) => console.error(`[idle-sockets ${new Date().toISOString().slice(11, 19)}] ${message}`);
const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The sum of a metric's samples whose line has all the given labels. */
async function metric(url: string, name: string, labels: string[] = []): Promise<number> {
  const lines = (await (await fetch(`${url}/metrics`)).text()).split('\n');
  return lines
    .filter((line) => (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && labels.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

async function main() {
  const dataDir = process.env.DATABASE_URL ? undefined : await mkdtemp(join(tmpdir(), 'taskgraph-idle-sockets-'));
  const server = await startServer('dist/server.js', await freePort(), {
    LOG_LEVEL: 'warn',
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
  });
  const wsUrl = `${server.url.replace(/^http/, 'ws')}/graphql`;
  const openSockets = () => metric(server.url, 'taskgraph_websocket_connections');
  const createTask = (userId: string) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation ($userId: ID!) { createTask(userId: $userId, input: { title: "ping" }) { id } }', variables: { userId } }),
    });
  const clients: Client[] = [];
  try {
    // Warm up every code path the sockets use, so the baseline has them loaded.
    const warmup = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    let warmupEvents = 0;
    const stop = warmup.subscribe(
      { query: 'subscription Idle { taskEvents(userId: "warmup") { type } }' },
      { next: () => (warmupEvents += 1), error() {}, complete() {} },
    );
    await until(async () => {
      await createTask('warmup');
      return warmupEvents > 0;
    }, 'the warm-up subscription delivered');
    stop();
    await warmup.dispose();
    await until(async () => (await openSockets()) === 0, 'the warm-up socket closed');
    await sleep(settleMs);
    const before = await residentBytes(server.pid);
    log(`server RSS before: ${mebibytes(before)}; opening ${socketCount} sockets`);

    const openingCpu = await cpuTimeMs(server.pid);
    const openedAt = performance.now();
    const delivered = new Array<number>(socketCount).fill(0);
    for (let index = 0; index < socketCount; index += 1) {
      const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
      client.subscribe(
        { query: 'subscription Idle($userId: ID!) { taskEvents(userId: $userId) { type } }', variables: { userId: `idle-${index}` } },
        { next: () => (delivered[index] = (delivered[index] ?? 0) + 1), error: (error) => log(`socket ${index} failed: ${String(error)}`), complete() {} },
      );
      clients.push(client);
      // A few at a time, as clients arrive, rather than one burst of handshakes.
      if (index % 50 === 49) await sleep(10);
    }
    await until(async () => (await openSockets()) === socketCount, `${socketCount} sockets were open`);
    const openMs = performance.now() - openedAt;
    const openCpuMs = (await cpuTimeMs(server.pid)) - openingCpu;
    await sleep(settleMs);
    const open = await residentBytes(server.pid);

    log(`all open in ${Math.round(openMs)} ms; idling ${idleSeconds} s`);
    const idleCpuBefore = await cpuTimeMs(server.pid);
    await sleep(idleSeconds * 1000);
    const idleCpuMs = (await cpuTimeMs(server.pid)) - idleCpuBefore;
    const afterIdle = await residentBytes(server.pid);
    const stillOpen = await openSockets();
    // Proof that the sockets were subscribed all along: a sample of users each hear of their own write, once.
    const sample = Array.from({ length: Math.min(50, socketCount) }, (_, position) => Math.floor((position * socketCount) / Math.min(50, socketCount)));
    for (const index of sample) await createTask(`idle-${index}`);
    await until(async () => sample.every((index) => delivered[index] === 1), 'the sampled subscribers heard their event', 30_000);
    const deliveredTotal = delivered.reduce((sum, count) => sum + count, 0);

    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await until(async () => (await openSockets()) === 0, 'the sockets closed');
    await sleep(settleMs);
    const closed = await residentBytes(server.pid);

    const report = {
      sockets: socketCount,
      database: dataDir ? 'pglite' : 'postgres',
      node: process.version,
      rssBefore: mebibytes(before),
      rssOpen: mebibytes(open),
      rssAfterIdle: mebibytes(afterIdle),
      rssAfterClose: mebibytes(closed),
      perSocketKiB: Math.round((afterIdle - before) / socketCount / 1024),
      openMs: Math.round(openMs),
      openCpuMsPerSocket: Number((openCpuMs / socketCount).toFixed(2)),
      idleSeconds,
      idleCpuMs: Math.round(idleCpuMs),
      idleCpuPercentOfOneCore: Number(((idleCpuMs / (idleSeconds * 1000)) * 100).toFixed(2)),
      stillOpenAfterIdle: stillOpen,
      // Each sampled user wrote once: as many events as writes means every socket heard only its own user.
      sampledWrites: sample.length,
      eventsDelivered: deliveredTotal,
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await server.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
