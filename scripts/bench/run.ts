// `npm run bench` (full) and `npm run bench:smoke` (tiny seed, seconds per scenario, same code path).
// Flags: --smoke; --cpu-prof writes the API server's V8 profile to bench-results/profiles/; --scenarios=list,create
// and --no-pglite narrow a run (for profiling one scenario); --trusted-documents adds a second taskgraph server on
// PostgreSQL with TRUSTED_DOCUMENTS, driven with hashes instead of document text (list and create).
// Env: BENCH_DATABASE_URL (admin connection, default the local server), BENCH_POOL_SIZE (default 10).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { migrate } from '../../src/migrate.js';
import { createScratchDatabase } from '../db/admin.js';
import { drive, type LoadOptions } from './load.js';
import { adminUrl, cpuTimeMs, foreignCpu, freePort, projectRoot, sampleMemory, type ServerProcess, startServer } from './processes.js';
import { compareWithBaseline, type DatabaseLabel, evaluateTargets, markdownTable, type Row, type ServerLabel, targetList } from './report.js';
import { baselineFor, byHash, createScenarios, type Scenario, type ScenarioName, trustedDocumentsManifest } from './scenarios.js';
import { type SeedData, seedDataset, type SeedSize } from './dataset.js';
import { createBaselineHandler } from './baseline-server.js';
import { countAppStatements, countReferenceStatements, statementCountSource } from './statements.js';
import { createYogaFloorHandler } from './yoga-floor-server.js';

const smoke = process.argv.includes('--smoke');
const cpuProfile = process.argv.includes('--cpu-prof');
const poolSize = Number(process.env.BENCH_POOL_SIZE ?? 10);

const settings = smoke
  ? {
      size: { users: 20, tasksPerUser: 20, bigUserTasks: 1_000, deepPosition: 900 } satisfies SeedSize,
      load: { connections: 4, durationSeconds: 2 } satisfies LoadOptions,
      warmupSeconds: 1,
      scenarioWarmupSeconds: 0,
      statementSamples: 5,
    }
  : {
      size: { users: 1_000, tasksPerUser: 100, bigUserTasks: 10_000, deepPosition: 9_000 } satisfies SeedSize,
      load: { connections: 16, durationSeconds: 15 } satisfies LoadOptions,
      warmupSeconds: 5,
      scenarioWarmupSeconds: 2,
      statementSamples: 50,
    };

const only = process.argv.find((arg) => arg.startsWith('--scenarios='))?.slice('--scenarios='.length).split(',');
const selected = (names: ScenarioName[]) => names.filter((name) => !only || only.includes(name));
const allScenarios = selected(['list', 'nested', 'deep', 'deepTitle', 'create', 'update', 'mixed']);
const baselineScenarios = selected(['list', 'deep', 'create', 'update']);
const yogaFloorScenarios = selected(['list', 'deep']);
const readScenarios = selected(['list', 'nested', 'deep', 'deepTitle']);
const withPglite = !process.argv.includes('--no-pglite');
const trustedScenarios = process.argv.includes('--trusted-documents') ? selected(['list', 'create']) : [];

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

interface Contender {
  server: ServerProcess;
  labels: { database: DatabaseLabel; server: ServerLabel };
  scenarios: Scenario[];
  statements: Partial<Record<ScenarioName, number>>;
}

/** Warms every server up, then runs scenario by scenario, each contender right after the other, to share the noise. */
async function measure(contenders: Contender[]): Promise<Row[]> {
  for (const { server, labels, scenarios } of contenders) {
    const warmup: Scenario = { ...scenarios[0]!, next: () => scenarios[Math.floor(Math.random() * scenarios.length)]!.next() };
    log(`${labels.database} ${labels.server}: warm-up ${settings.warmupSeconds} s`);
    await drive(server.url, warmup, { ...settings.load, durationSeconds: settings.warmupSeconds });
  }
  const rows: Row[] = [];
  const pids = contenders.map((contender) => contender.server.pid);
  for (const name of allScenarios) {
    for (const { server, labels, scenarios, statements } of contenders) {
      const scenario = scenarios.find((candidate) => candidate.name === name);
      if (!scenario) continue;
      if (settings.scenarioWarmupSeconds > 0) {
        await drive(server.url, scenario, { ...settings.load, durationSeconds: settings.scenarioWarmupSeconds });
      }
      const samples = Array.from({ length: 100 }, () => Buffer.byteLength(JSON.stringify(scenario.next())));
      const memory = sampleMemory(server.pid);
      const noise = await foreignCpu(pids);
      const cpuBefore = await cpuTimeMs(server.pid);
      const result = await drive(server.url, scenario, settings.load);
      const cpuAfter = await cpuTimeMs(server.pid);
      const foreignCpuShare = await noise.stop();
      const { peakRss } = await memory.stop();
      const row: Row = {
        ...labels,
        scenario: scenario.name,
        ...result,
        peakRssMb: peakRss / 2 ** 20,
        cpuMsPerRequest: (cpuAfter - cpuBefore) / Math.max(result.requests, 1),
        foreignCpuPercent: foreignCpuShare * 100,
        statementsPerRequest: statements[scenario.name],
        requestBytes: samples.reduce((sum, bytes) => sum + bytes, 0) / samples.length,
      };
      log(
        `${labels.database} ${labels.server} ${scenario.name}: ${row.requestsPerSecond.toFixed(0)} req/s, ` +
          `p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ${row.errors} errors, ${row.cpuMsPerRequest.toFixed(2)} CPU ms/req, ` +
          `foreign CPU ${row.foreignCpuPercent.toFixed(0)}%${row.firstError ? ` (${row.firstError})` : ''}`,
      );
      rows.push(row);
    }
  }
  return rows;
}

async function startBenchServer(entry: string, env: Record<string, string>): Promise<ServerProcess> {
  const profileDir = join(projectRoot, 'bench-results', 'profiles');
  const nodeOptions = cpuProfile && entry === 'dist/server.js' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  return startServer(entry, await freePort(), { NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env }, nodeOptions);
}

async function benchPostgres(): Promise<Row[]> {
  const scratch = await createScratchDatabase(adminUrl, 'taskgraph_bench');
  const { name } = scratch;
  const database: DatabaseConfig = { kind: 'postgres', url: scratch.url, poolSize, connectTimeoutMs: 5000 };
  const servers: ServerProcess[] = [];
  try {
    const started = Date.now();
    const data = await prepare(database);
    log(`PostgreSQL: database ${name} seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const scenarios = createScenarios(data);
    const pick = (names: ScenarioName[]) => names.map((scenario) => scenarios[scenario]);
    const appStatements = await countAppStatements(database, pick(allScenarios), settings.statementSamples);
    const baselineStatements = await countReferenceStatements(database.url, createBaselineHandler, pick(baselineScenarios), settings.statementSamples);
    const yogaFloorStatements = await countReferenceStatements(database.url, createYogaFloorHandler, pick(yogaFloorScenarios), settings.statementSamples);
    const yogaPrismaStatements = await countAppStatements(database, pick(yogaFloorScenarios), settings.statementSamples, 'Yoga + Prisma');
    const env = { DATABASE_URL: database.url, DATABASE_POOL_SIZE: String(poolSize) };
    const baseline = await startBenchServer('scripts/bench/baseline-server.ts', env);
    servers.push(baseline);
    const yogaFloor = await startBenchServer('scripts/bench/yoga-floor-server.ts', env);
    servers.push(yogaFloor);
    const yogaPrisma = await startBenchServer('scripts/bench/yoga-prisma-server.ts', env);
    servers.push(yogaPrisma);
    const api = await startBenchServer('dist/server.js', { ...env, MIGRATE_ON_START: 'false' });
    servers.push(api);
    const trusted: Contender[] = [];
    if (trustedScenarios.length > 0) {
      const manifest = join(await mkdtemp(join(tmpdir(), 'taskgraph-bench-manifest-')), 'persisted-documents.json');
      await writeFile(manifest, JSON.stringify(trustedDocumentsManifest()));
      const server = await startBenchServer('dist/server.js', { ...env, MIGRATE_ON_START: 'false', TRUSTED_DOCUMENTS: manifest });
      servers.push(server);
      trusted.push({
        server,
        labels: { database: 'PostgreSQL', server: 'taskgraph (trusted documents)' },
        scenarios: pick(trustedScenarios).map(byHash),
        statements: appStatements,
      });
    }
    return await measure([
      { server: baseline, labels: { database: 'PostgreSQL', server: 'baseline' }, scenarios: pick(baselineScenarios), statements: baselineStatements },
      { server: yogaFloor, labels: { database: 'PostgreSQL', server: 'Yoga + pg' }, scenarios: pick(yogaFloorScenarios), statements: yogaFloorStatements },
      { server: yogaPrisma, labels: { database: 'PostgreSQL', server: 'Yoga + Prisma' }, scenarios: pick(yogaFloorScenarios), statements: yogaPrismaStatements },
      { server: api, labels: { database: 'PostgreSQL', server: 'taskgraph' }, scenarios: pick(allScenarios), statements: appStatements },
      ...trusted,
    ]);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await scratch.drop();
    log(`PostgreSQL: database ${name} dropped`);
  }
}

async function prepare(database: DatabaseConfig): Promise<SeedData> {
  const logger = pino({ level: 'warn' });
  const db = await openDatabase(database, { logger });
  try {
    await migrate(db, logger);
    return await db.withSession((session) => seedDataset(session, settings.size));
  } finally {
    await db.close();
  }
}

async function benchPglite(): Promise<Row[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taskgraph-bench-pglite-'));
  try {
    const started = Date.now();
    const database: DatabaseConfig = { kind: 'pglite', dataDir };
    const data = await prepare(database);
    log(`PGlite: ${dataDir} seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const scenarios = readScenarios.map((name) => createScenarios(data)[name]);
    const statements = await countAppStatements(database, scenarios, settings.statementSamples);
    const server = await startBenchServer('dist/server.js', { DATA_DIR: dataDir, MIGRATE_ON_START: 'false' });
    try {
      return await measure([{ server, labels: { database: 'PGlite', server: 'taskgraph' }, scenarios, statements }]);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const started = Date.now();
  log(`${smoke ? 'smoke' : 'full'} run: ${JSON.stringify(settings)}, pool size ${poolSize}`);
  const rows = [...(await benchPostgres()), ...(withPglite ? await benchPglite() : [])];
  compareWithBaseline(rows, baselineFor);
  const targets = evaluateTargets(rows);
  const seconds = (Date.now() - started) / 1000;
  const table = markdownTable(rows);
  const seedText = `${settings.size.users} users x ${settings.size.tasksPerUser} tasks + one user with ${settings.size.bigUserTasks} (deep page after task ${settings.size.deepPosition})`;
  console.log(
    [
      `### ${smoke ? 'Smoke' : 'Benchmark'} run: ${new Date().toISOString()}, node ${process.version}, ${settings.load.connections} connections x ${settings.load.durationSeconds} s per scenario, pool ${poolSize}`,
      '',
      `Seed: ${seedText}. The load generator (autocannon) runs on the same machine.`,
      '',
      table,
      '',
      statementCountSource,
      '',
      targetList(targets),
      '',
      `Wall time: ${seconds.toFixed(0)} s.`,
    ].join('\n'),
  );
  await mkdir(join(projectRoot, 'bench-results'), { recursive: true });
  const file = join(projectRoot, 'bench-results', 'latest.json');
  await writeFile(
    file,
    `${JSON.stringify({ smoke, date: new Date().toISOString(), node: process.version, poolSize, settings, statementCountSource, rows, targets, wallSeconds: seconds }, null, 2)}\n`,
  );
  log(`results written to ${file}`);
  const errors = rows.reduce((sum, row) => sum + row.errors, 0);
  if (errors > 0) {
    log(`${errors} requests failed`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
