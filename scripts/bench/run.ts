// `npm run bench` (full) and `npm run bench:smoke` (tiny seed, seconds per scenario, same code path).
// Every server runs on Node 24 (the primary runtime); the API and the baseline also run on the machine's Node,
// Node 22 and Bun (list and create), each compared with the baseline on its own runtime.
// Flags: --smoke; --cpu-prof writes the API's and Yoga + Prisma's V8 profiles to bench-results/profiles/<server>-<database>/; --scenarios=list,create,
// --runtimes=node20,node22,bun (the runtimes besides Node 24; --runtimes= for none) and --no-pglite narrow a run;
// --no-trusted-documents leaves out the taskgraph server with TRUSTED_DOCUMENTS, which is driven with hashes.
// Env: BENCH_DATABASE_URL (admin connection, default the local server), BENCH_POOL_SIZE (default 10).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { DatabaseConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { migrate } from '../../src/migrate.js';
import { createScratchDatabase } from '../db/admin.js';
import { drive, type LoadOptions } from './load.js';
import { adminUrl, cpuTimeMs, foreignCpu, freePort, projectRoot, residentBytes, sampleMemory, type ServerProcess, startServer } from './processes.js';
import { compareWithBaseline, type DatabaseLabel, evaluateTargets, markdownTable, type Row, type ServerLabel, targetList } from './report.js';
import { currentNode, isRuntimeKey, resolveRuntime, type Runtime, startScriptNodeFlags } from './runtimes.js';
import {
  baselineFor,
  byHash,
  createScenarios,
  postgraphileScenarios,
  type Scenario,
  type ScenarioName,
  trustedDocumentsManifest,
} from './scenarios.js';
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
      load: { connections: 16, durationSeconds: 8 } satisfies LoadOptions,
      warmupSeconds: 2,
      scenarioWarmupSeconds: 1,
      statementSamples: 50,
    };

const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3).split(',').filter(Boolean);
const only = option('scenarios');
const selected = (names: ScenarioName[]) => names.filter((name) => !only || only.includes(name));
const allScenarios = selected(['list', 'nested', 'deep', 'deepTitle', 'create', 'update', 'mixed', 'readMostly']);
const baselineScenarios = selected(['list', 'deep', 'create', 'update']);
const yogaFloorScenarios = selected(['list', 'deep']);
const readScenarios = selected(['list', 'nested', 'deep', 'deepTitle']);
// The smoke run only checks that every runtime serves the API; the full run compares list and create.
const runtimeScenarios = selected(smoke ? ['list'] : ['list', 'create']);
const cachedScenarios = selected(['list', 'mixed', 'readMostly']);
const trustedScenarios = process.argv.includes('--no-trusted-documents') ? [] : selected(['list', 'create']);
const withPglite = !process.argv.includes('--no-pglite');
const otherRuntimeKeys = (option('runtimes') ?? ['node20', 'node22', 'bun']).map((key) => {
  if (!isRuntimeKey(key)) throw new Error(`--runtimes: unknown runtime ${key} (node20, node22, node24, bun)`);
  return key;
});

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Node 24, installed when needed; the smoke run (CI, on Node 20) falls back to the machine's Node when it is not cached. */
function primaryRuntime(): Runtime {
  const runtime = resolveRuntime('node24', !smoke);
  if (runtime) return runtime;
  log(`Node 24 is not in the runtime cache (node scripts/build/runtimes.mjs node 24.9.0 installs it): every server runs on ${currentNode.label}`);
  return currentNode;
}

const primary = primaryRuntime();

function otherRuntimes(): Runtime[] {
  const runtimes: Runtime[] = [];
  for (const key of otherRuntimeKeys) {
    const runtime = resolveRuntime(key, !smoke);
    if (!runtime) log(`${key} skipped: not in the runtime cache (the smoke run installs nothing)`);
    else if (runtime.executable !== primary.executable) runtimes.push(runtime);
  }
  return runtimes;
}

/** PostGraphile 5 needs Node 22 or later. */
const postgraphileRuntime = primary.kind === 'node' && Number(primary.version.split('.')[0]) >= 22 ? primary : undefined;

interface ContenderSpec {
  entry: string;
  env: Record<string, string>;
  runtime: Runtime;
  /** The runtime as the table shows it, when it differs from runtime.label (Bun on the node:http entry). */
  runtimeLabel?: string;
  labels: { database: DatabaseLabel; server: ServerLabel };
  scenarios: Scenario[];
  statements: Partial<Record<ScenarioName, number>>;
  /** Its /metrics counts response cache hits and misses, read around each scenario for the hit rate. */
  countsCacheHits?: boolean;
}

interface Contender extends ContenderSpec {
  server: ServerProcess;
  idleRssMb: number;
}

const apiEntry = 'dist/server.js';

/** Warms every server up, then runs scenario by scenario, each contender right after the other, to share the noise. */
async function measure(contenders: Contender[]): Promise<Row[]> {
  for (const { server, labels, scenarios, runtime, runtimeLabel } of contenders) {
    const warmup: Scenario = { ...scenarios[0]!, next: () => scenarios[Math.floor(Math.random() * scenarios.length)]!.next() };
    log(`${runtimeLabel ?? runtime.label} ${labels.database} ${labels.server}: warm-up ${settings.warmupSeconds} s`);
    await drive(server.url, warmup, { ...settings.load, durationSeconds: settings.warmupSeconds });
  }
  const rows: Row[] = [];
  const pids = contenders.map((contender) => contender.server.pid);
  for (const name of allScenarios) {
    for (const { server, labels, scenarios, statements, runtime, runtimeLabel, idleRssMb, countsCacheHits } of contenders) {
      const scenario = scenarios.find((candidate) => candidate.name === name);
      if (!scenario) continue;
      if (settings.scenarioWarmupSeconds > 0) {
        await drive(server.url, scenario, { ...settings.load, durationSeconds: settings.scenarioWarmupSeconds });
      }
      const samples = Array.from({ length: 100 }, () => Buffer.byteLength(JSON.stringify(scenario.next())));
      const memory = sampleMemory(server.pid);
      const noise = await foreignCpu(pids);
      const cacheBefore = countsCacheHits ? await cacheRequests(server.url) : undefined;
      const cpuBefore = await cpuTimeMs(server.pid);
      const result = await drive(server.url, scenario, settings.load);
      const cpuAfter = await cpuTimeMs(server.pid);
      const cacheAfter = cacheBefore ? await cacheRequests(server.url) : undefined;
      const foreignCpuShare = await noise.stop();
      const { peakRss } = await memory.stop();
      const row: Row = {
        runtime: runtimeLabel ?? runtime.label,
        ...labels,
        scenario: scenario.name,
        ...result,
        idleRssMb,
        peakRssMb: peakRss / 2 ** 20,
        cpuMsPerRequest: (cpuAfter - cpuBefore) / Math.max(result.requests, 1),
        foreignCpuPercent: foreignCpuShare * 100,
        statementsPerRequest: statements[scenario.name],
        requestBytes: samples.reduce((sum, bytes) => sum + bytes, 0) / samples.length,
        cacheHitPercent: cacheBefore && cacheAfter ? hitPercent(cacheBefore, cacheAfter) : undefined,
      };
      log(
        `${row.runtime} ${labels.database} ${labels.server} ${scenario.name}: ${row.requestsPerSecond.toFixed(0)} req/s, ` +
          `p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ${row.errors} errors, ${row.cpuMsPerRequest.toFixed(2)} CPU ms/req, ` +
          `peak RSS ${row.peakRssMb.toFixed(0)} MB, foreign CPU ${row.foreignCpuPercent.toFixed(0)}%` +
          `${row.cacheHitPercent === undefined ? '' : `, cache hits ${row.cacheHitPercent.toFixed(0)}%`}${row.firstError ? ` (${row.firstError})` : ''}`,
      );
      rows.push(row);
    }
  }
  return rows;
}

interface CacheRequests {
  hit: number;
  miss: number;
}

/** The server's response cache counters (taskgraph_response_cache_requests_total) from its /metrics. */
async function cacheRequests(url: string): Promise<CacheRequests> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (result: keyof CacheRequests) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`taskgraph_response_cache_requests_total{result="${result}"}`));
    if (!line) throw new Error(`${url}/metrics has no taskgraph_response_cache_requests_total{result="${result}"}`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { hit: count('hit'), miss: count('miss') };
}

const hitPercent = (before: CacheRequests, after: CacheRequests) => {
  const hits = after.hit - before.hit;
  const lookups = hits + after.miss - before.miss;
  return lookups === 0 ? 0 : (hits / lookups) * 100;
};

async function startContender(spec: ContenderSpec): Promise<ServerProcess> {
  const isApi = spec.entry === apiEntry;
  // Yoga + Prisma is profiled beside the API: the difference between the two is what taskgraph's own layers cost.
  const profiled = cpuProfile && spec.runtime === primary && (isApi || spec.labels.server === 'Yoga + Prisma');
  const profileDir = join(projectRoot, 'bench-results', 'profiles', profileFolder(spec.labels));
  const nodeOptions = [
    ...(isApi ? startScriptNodeFlags() : []),
    ...(profiled ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  ];
  const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn', ...spec.env };
  return startServer(spec.entry, await freePort(), env, nodeOptions, spec.runtime);
}

/** One folder per server and database, so that scripts/bench/profile-summary.ts can tell the profiles apart. */
function profileFolder({ database, server }: ContenderSpec['labels']): string {
  return `${server}-${database}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Starts a group of servers, reads their idle RSS after some quiet, measures them together and stops them. */
async function runGroup(allSpecs: ContenderSpec[], quietSeconds = 2): Promise<Row[]> {
  // --scenarios can leave a server with nothing to run (the baseline has no mixed): it is not started.
  const specs = allSpecs.filter((spec) => spec.scenarios.length > 0);
  const contenders: Contender[] = [];
  try {
    // Started together: on a loaded 2-core machine one start-up takes seconds.
    const started = await Promise.allSettled(specs.map(startContender));
    started.forEach((result, index) => {
      if (result.status !== 'fulfilled') return;
      const spec = specs[index]!;
      contenders.push({ ...spec, server: result.value, idleRssMb: 0 });
      // The profile's file name carries the pid.
      if (cpuProfile) log(`${spec.runtimeLabel ?? spec.runtime.label} ${spec.labels.database} ${spec.labels.server}: pid ${result.value.pid}`);
    });
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    await sleep(quietSeconds * 1000);
    for (const contender of contenders) contender.idleRssMb = (await residentBytes(contender.server.pid)) / 2 ** 20;
    return await measure(contenders);
  } finally {
    await Promise.all(contenders.map(({ server }) => server.stop()));
  }
}

/** Bun serves the API through dist/bun-server.js (Bun.serve) when it exists, else through the node:http entry. */
function bunEntry(): { entry: string; runtimeLabel?: string } {
  const bunServer = 'dist/bun-server.js';
  return existsSync(join(projectRoot, bunServer)) ? { entry: bunServer } : { entry: apiEntry, runtimeLabel: 'Bun (dist/server.js)' };
}

async function benchPostgres(): Promise<Row[]> {
  const scratch = await createScratchDatabase(adminUrl, 'taskgraph_bench');
  const { name } = scratch;
  const database: DatabaseConfig = { kind: 'postgres', url: scratch.url, poolSize, connectTimeoutMs: 5000 };
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
    const apiEnv = { ...env, MIGRATE_ON_START: 'false', RESPONSE_CACHE: 'false' };
    const onPostgres = (server: ServerLabel) => ({ database: 'PostgreSQL' as const, server });

    const primaryGroup: ContenderSpec[] = [
      { entry: 'scripts/bench/baseline-server.ts', env, runtime: primary, labels: onPostgres('baseline'), scenarios: pick(baselineScenarios), statements: baselineStatements },
      { entry: 'scripts/bench/yoga-floor-server.ts', env, runtime: primary, labels: onPostgres('Yoga + pg'), scenarios: pick(yogaFloorScenarios), statements: yogaFloorStatements },
      { entry: 'scripts/bench/yoga-prisma-server.ts', env, runtime: primary, labels: onPostgres('Yoga + Prisma'), scenarios: pick(yogaFloorScenarios), statements: yogaPrismaStatements },
      { entry: apiEntry, env: apiEnv, runtime: primary, labels: onPostgres('taskgraph'), scenarios: pick(allScenarios), statements: appStatements },
    ];
    if (cachedScenarios.length > 0) {
      primaryGroup.push({
        entry: apiEntry,
        env: { ...apiEnv, RESPONSE_CACHE: 'true' },
        runtime: primary,
        labels: onPostgres('taskgraph + response cache'),
        scenarios: pick(cachedScenarios),
        statements: {},
        countsCacheHits: true,
      });
    }
    if (trustedScenarios.length > 0) {
      const manifest = join(await mkdtemp(join(tmpdir(), 'taskgraph-bench-manifest-')), 'persisted-documents.json');
      await writeFile(manifest, JSON.stringify(trustedDocumentsManifest()));
      primaryGroup.push({
        entry: apiEntry,
        env: { ...apiEnv, TRUSTED_DOCUMENTS: manifest },
        runtime: primary,
        labels: onPostgres('taskgraph (trusted documents)'),
        scenarios: pick(trustedScenarios).map(byHash),
        statements: appStatements,
      });
    }
    const peerScenarios = postgraphileScenarios(data).filter((scenario) => !only || only.includes(scenario.name));
    if (!postgraphileRuntime) log(`PostGraphile skipped: it needs Node 22+ and the bench runs on ${primary.label}`);
    else if (peerScenarios.length > 0) {
      primaryGroup.push({ entry: 'scripts/bench/postgraphile-server.ts', env, runtime: postgraphileRuntime, labels: onPostgres('PostGraphile'), scenarios: peerScenarios, statements: {} });
    }
    const rows = await runGroup(primaryGroup);

    for (const runtime of otherRuntimes()) {
      if (runtimeScenarios.length === 0) break;
      const api = runtime.kind === 'bun' ? bunEntry() : { entry: apiEntry };
      rows.push(
        ...(await runGroup([
          { entry: 'scripts/bench/baseline-server.ts', env, runtime, labels: onPostgres('baseline'), scenarios: pick(runtimeScenarios), statements: baselineStatements },
          { ...api, env: apiEnv, runtime, labels: onPostgres('taskgraph'), scenarios: pick(runtimeScenarios), statements: appStatements },
        ])),
      );
    }
    return rows;
  } finally {
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
    return await runGroup([
      {
        entry: apiEntry,
        env: { DATA_DIR: dataDir, MIGRATE_ON_START: 'false', RESPONSE_CACHE: 'false' },
        runtime: primary,
        labels: { database: 'PGlite', server: 'taskgraph' },
        scenarios,
        statements,
      },
      // PGlite's WASM PostgreSQL is tiered up by V8 for several seconds after start, holding ~250 MB more meanwhile.
    ], 10);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const runtimesText = (rows: Row[]) =>
  [...new Set(rows.map((row) => row.runtime))].join(', ') + ` (${primary.label} is ${primary.version}, the bench itself ${process.version})`;

async function main() {
  const started = Date.now();
  log(`${smoke ? 'smoke' : 'full'} run: ${JSON.stringify(settings)}, pool size ${poolSize}, every server on ${primary.label} (${primary.version})`);
  const rows = [...(await benchPostgres()), ...(withPglite ? await benchPglite() : [])];
  compareWithBaseline(rows, baselineFor, primary.label);
  const targets = evaluateTargets(rows, primary.label);
  const seconds = (Date.now() - started) / 1000;
  const table = markdownTable(rows);
  const seedText = `${settings.size.users} users x ${settings.size.tasksPerUser} tasks + one user with ${settings.size.bigUserTasks} (deep page after task ${settings.size.deepPosition})`;
  console.log(
    [
      `### ${smoke ? 'Smoke' : 'Benchmark'} run: ${new Date().toISOString()}, servers on ${runtimesText(rows)}, ${settings.load.connections} connections x ${settings.load.durationSeconds} s per scenario, pool ${poolSize}`,
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
    `${JSON.stringify({ smoke, date: new Date().toISOString(), node: process.version, primaryRuntime: primary, poolSize, settings, statementCountSource, rows, targets, wallSeconds: seconds }, null, 2)}\n`,
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
