// `npx tsx scripts/bench/ab.ts --builds=dist-before,dist [--scenario=list] [--rounds=4] [--seconds=6]`: two or more
// compiled builds of the API (each folder holds a `tsc -p tsconfig.build.json` output, e.g. a copy of dist/ from
// before a change) on one seeded PostgreSQL database, measured in interleaved rounds on Node 24 with the flags of
// `npm start`, so a change is judged by CPU per request within one run on a machine whose load comes and goes.
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { migrate } from '../../src/migrate.js';
import { createScratchDatabase } from '../db/admin.js';
import { seedDataset } from './dataset.js';
import { drive } from './load.js';
import { adminUrl, cpuTimeMs, foreignCpu, freePort, type ServerProcess, startServer } from './processes.js';
import { resolveRuntime, startScriptNodeFlags } from './runtimes.js';
import { createScenarios, type ScenarioName } from './scenarios.js';

const option = (name: string, fallback: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const builds = option('builds', 'dist').split(',').filter(Boolean);
const scenarioName = option('scenario', 'list') as ScenarioName;
const rounds = Number(option('rounds', '4'));
const seconds = Number(option('seconds', '6'));
const load = { connections: 16, durationSeconds: seconds };

async function main() {
  const runtime = resolveRuntime('node24', true);
  if (!runtime) throw new Error('Node 24 is not available');
  const scratch = await createScratchDatabase(adminUrl, 'taskgraph_ab');
  const database: DatabaseConfig = { kind: 'postgres', url: scratch.url, poolSize: 10, connectTimeoutMs: 5000 };
  const servers: { build: string; server: ServerProcess }[] = [];
  try {
    const logger = pino({ level: 'warn' });
    const db = await openDatabase(database, { logger });
    const data = await (async () => {
      try {
        await migrate(db, logger);
        return await db.withSession((session) => seedDataset(session, { users: 1_000, tasksPerUser: 100, bigUserTasks: 10_000, deepPosition: 9_000 }));
      } finally {
        await db.close();
      }
    })();
    const scenario = createScenarios(data)[scenarioName];
    const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: database.url, DATABASE_POOL_SIZE: '10', MIGRATE_ON_START: 'false', RESPONSE_CACHE: 'false' };
    for (const build of builds) {
      servers.push({ build, server: await startServer(`${build}/server.js`, await freePort(), env, startScriptNodeFlags(), runtime) });
    }
    await sleep(2000);
    for (const { server } of servers) await drive(server.url, scenario, { ...load, durationSeconds: 3 });
    const results = new Map<string, { cpuMs: number; requests: number; perRound: string[] }>();
    for (let round = 1; round <= rounds; round++) {
      // Alternate the order, so neither build always runs right after the other's load.
      const ordered = round % 2 === 0 ? [...servers].reverse() : servers;
      for (const { build, server } of ordered) {
        const noise = await foreignCpu(servers.map((entry) => entry.server.pid));
        const before = await cpuTimeMs(server.pid);
        const result = await drive(server.url, scenario, load);
        const cpuMs = (await cpuTimeMs(server.pid)) - before;
        const foreign = (await noise.stop()) * 100;
        const entry = results.get(build) ?? { cpuMs: 0, requests: 0, perRound: [] };
        entry.cpuMs += cpuMs;
        entry.requests += result.requests;
        entry.perRound.push(`${(cpuMs / result.requests).toFixed(3)} ms/req ${result.requestsPerSecond.toFixed(0)} req/s foreign ${foreign.toFixed(0)}%${result.errors ? ` ${result.errors} errors` : ''}`);
        results.set(build, entry);
        console.error(`round ${round} ${build}: ${entry.perRound.at(-1)}`);
      }
    }
    for (const [build, { cpuMs, requests, perRound }] of results) {
      console.log(`${build}: ${(cpuMs / requests).toFixed(3)} CPU ms/req over ${requests} requests (${scenarioName}); rounds: ${perRound.join('; ')}`);
    }
  } finally {
    await Promise.all(servers.map(({ server }) => server.stop()));
    await scratch.drop();
  }
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
