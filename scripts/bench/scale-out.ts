// `npm run bench:scale-out`: throughput of 1, 2 and 3 taskgraph instances (compiled, one PostgreSQL database, one
// Redis) behind HAProxy on this machine, with where the CPU went. Flags: --seconds=N per measurement (default 15),
// --connections=N (default 16), --scenarios=list,mixed. Env: BENCH_DATABASE_URL (admin connection, default the
// local server), BENCH_REDIS_URL (default redis://127.0.0.1:6379), BENCH_POOL_SIZE per instance (default 10).
import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { pino } from 'pino';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { migrate } from '../../src/migrate.js';
import { createScratchDatabase } from '../db/admin.js';
import { type Balancer, startHaproxy } from './haproxy.js';
import { drive, type LoadResult } from './load.js';
import { adminUrl, cpuTimeMs, freePort, machineBusyMs, postgresCpuMs, type ServerProcess, startServer } from './processes.js';
import { createScenarios, type ScenarioName } from './scenarios.js';
import { seedDataset } from './dataset.js';

const flag = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const seconds = Number(flag('seconds') ?? 15);
const connections = Number(flag('connections') ?? 16);
const scenarioNames = (flag('scenarios') ?? 'list,mixed').split(',') as ScenarioName[];
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const poolSize = Number(process.env.BENCH_POOL_SIZE ?? 10);
const instanceCounts = [1, 2, 3];

const log = (message: string) => console.error(`[scale-out ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function pidsNamed(command: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat.includes(`(${command})`)) pids.push(Number(entry));
  }
  return pids;
}

const cpuOf = async (pids: number[]) => (await Promise.all(pids.map((pid) => cpuTimeMs(pid).catch(() => 0)))).reduce((a, b) => a + b, 0);

/** CPU time (ms) used so far by each party of the measurement, and by the whole machine. */
async function cpuSnapshot(instances: ServerProcess[], balancer: Balancer, redisPids: number[]) {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    instances: await cpuOf(instances.map((instance) => instance.pid)),
    haproxy: await cpuTimeMs(balancer.pid),
    postgres: await postgresCpuMs(),
    redis: await cpuOf(redisPids),
    loadGenerator: (own.user + own.system) / 1000,
    machine: (await machineBusyMs()).busy,
  };
}

interface Row extends LoadResult {
  instances: number;
  scenario: ScenarioName;
  /** Cores busy on average during the measurement, by party. */
  cores: { instances: number; haproxy: number; postgres: number; redis: number; loadGenerator: number; foreign: number; machine: number };
  instanceCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
}

async function main() {
  const started = Date.now();
  const scratch = await createScratchDatabase(adminUrl, 'taskgraph_scaleout');
  const database: DatabaseConfig = { kind: 'postgres', url: scratch.url, poolSize, connectTimeoutMs: 5000 };
  const instances: ServerProcess[] = [];
  let balancer: Balancer | undefined;
  const rows: Row[] = [];
  try {
    const logger = pino({ level: 'warn' });
    const db = await openDatabase(database, { logger });
    const data = await migrate(db, logger)
      .then(() => db.withSession((session) => seedDataset(session, { users: 500, tasksPerUser: 40, bigUserTasks: 2_000, deepPosition: 1_500 })))
      .finally(() => db.close());
    const scenarios = createScenarios(data);
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: String(poolSize),
      REDIS_URL: redisUrl,
      MIGRATE_ON_START: 'false',
    };
    for (let index = 0; index < Math.max(...instanceCounts); index += 1) {
      instances.push(await startServer('dist/server.js', await freePort(), env));
    }
    const redisPids = await pidsNamed('redis-server');
    for (const count of instanceCounts) {
      const serving = instances.slice(0, count);
      balancer = await startHaproxy(serving.map((instance, index) => ({ name: `i${index + 1}`, port: Number(new URL(instance.url).port) })));
      for (const scenarioName of scenarioNames) {
        const scenario = scenarios[scenarioName];
        await drive(balancer.url, scenario, { connections, durationSeconds: 3 });
        const before = await cpuSnapshot(serving, balancer, redisPids);
        const result = await drive(balancer.url, scenario, { connections, durationSeconds: seconds });
        const after = await cpuSnapshot(serving, balancer, redisPids);
        const wallMs = after.at - before.at;
        const cores = (key: Exclude<keyof typeof before, 'at'>) => (after[key] - before[key]) / wallMs;
        const ours = cores('instances') + cores('haproxy') + cores('postgres') + cores('redis') + cores('loadGenerator');
        const row: Row = {
          ...result,
          instances: count,
          scenario: scenarioName,
          cores: {
            instances: cores('instances'),
            haproxy: cores('haproxy'),
            postgres: cores('postgres'),
            redis: cores('redis'),
            loadGenerator: cores('loadGenerator'),
            foreign: Math.max(0, cores('machine') - ours),
            machine: cores('machine'),
          },
          instanceCpuMsPerRequest: (after.instances - before.instances) / Math.max(result.requests, 1),
          postgresCpuMsPerRequest: (after.postgres - before.postgres) / Math.max(result.requests, 1),
        };
        rows.push(row);
        log(
          `${count} instance(s) ${scenarioName}: ${row.requestsPerSecond.toFixed(0)} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ` +
            `${row.errors} errors; cores: instances ${row.cores.instances.toFixed(2)}, postgres ${row.cores.postgres.toFixed(2)}, ` +
            `haproxy ${row.cores.haproxy.toFixed(2)}, redis ${row.cores.redis.toFixed(2)}, load generator ${row.cores.loadGenerator.toFixed(2)}, ` +
            `other processes ${row.cores.foreign.toFixed(2)} of ${availableParallelism()}${row.firstError ? ` (${row.firstError})` : ''}`,
        );
      }
      await balancer.stop();
      balancer = undefined;
    }
  } finally {
    await balancer?.stop();
    await Promise.all(instances.map((instance) => instance.stop()));
    await scratch.drop();
  }

  const fixed = (value: number, digits = 2) => value.toFixed(digits);
  const table = [
    '| instances | scenario | req/s | p50 ms | p99 ms | errors | CPU ms/req (instances) | CPU ms/req (PostgreSQL) | cores: instances | PostgreSQL | HAProxy | Redis | load generator | other processes | machine busy |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.instances} | ${row.scenario} | ${fixed(row.requestsPerSecond, 0)} | ${row.p50Ms} | ${row.p99Ms} | ${row.errors} | ` +
        `${fixed(row.instanceCpuMsPerRequest)} | ${fixed(row.postgresCpuMsPerRequest)} | ${fixed(row.cores.instances)} | ` +
        `${fixed(row.cores.postgres)} | ${fixed(row.cores.haproxy)} | ${fixed(row.cores.redis)} | ${fixed(row.cores.loadGenerator)} | ` +
        `${fixed(row.cores.foreign)} | ${fixed(row.cores.machine)} of ${availableParallelism()} |`,
    ),
  ];
  // With enough cores, each instance is bound by its own CPU per request; the shared ceiling is PostgreSQL's.
  const predictions = scenarioNames.map((scenarioName) => {
    const measured = rows.filter((row) => row.scenario === scenarioName);
    const appMs = measured.reduce((sum, row) => sum + row.instanceCpuMsPerRequest, 0) / measured.length;
    const postgresMs = measured.reduce((sum, row) => sum + row.postgresCpuMsPerRequest, 0) / measured.length;
    return (
      `- ${scenarioName}: ${fixed(appMs)} instance CPU ms and ${fixed(postgresMs)} PostgreSQL CPU ms per request, so about ` +
      `${fixed(1000 / appMs, 0)} req/s per core given to instances, until PostgreSQL's cores are full at about ` +
      `${fixed(1000 / postgresMs, 0)} req/s per PostgreSQL core.`
    );
  });
  console.log(
    [
      `### Scale-out run: ${new Date().toISOString()}, node ${process.version}, ${availableParallelism()} cores, ` +
        `${connections} connections x ${seconds} s per measurement (after 3 s of warm-up), pool ${poolSize} per instance`,
      '',
      'HAProxy 2.6 (roundrobin, health checks on /ready) in front of compiled instances on one PostgreSQL database and one ' +
        'Redis; autocannon runs in this process. "Other processes" is CPU the machine spent on anything else meanwhile.',
      '',
      ...table,
      '',
      'What the CPU figures predict on a machine with more cores:',
      ...predictions,
      '',
      `Wall time: ${fixed((Date.now() - started) / 1000, 0)} s.`,
    ].join('\n'),
  );
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
