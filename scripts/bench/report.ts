import type { LoadResult } from './load.js';
import type { ScenarioName } from './scenarios.js';

export type DatabaseLabel = 'PostgreSQL' | 'PGlite';
export type ServerLabel =
  | 'taskgraph'
  | 'taskgraph + response cache'
  | 'taskgraph (trusted documents)'
  | 'PostGraphile'
  | 'Yoga + Prisma'
  | 'Yoga + pg'
  | 'baseline';

export interface Row extends LoadResult {
  /** "Node 24", "Bun"; the entry point in brackets where it is not the usual one for that runtime. */
  runtime: string;
  database: DatabaseLabel;
  server: ServerLabel;
  scenario: ScenarioName;
  /** VmRSS after start-up and some quiet (2 s; 10 s for PGlite, whose WASM is still being compiled), before any request. */
  idleRssMb: number;
  peakRssMb: number;
  cpuMsPerRequest: number;
  /** Share of the machine's CPU used by processes outside the bench during the run. */
  foreignCpuPercent: number;
  statementsPerRequest?: number;
  /** Mean size of the JSON request body the load generator sends. */
  requestBytes: number;
  /** Against the baseline's comparable scenario (list for nested) on the same runtime and database, same run. */
  throughputRatio?: number;
  p99Ratio?: number;
  /** Against the primary runtime's (Node 24's) baseline, for rows on the other runtimes. */
  primaryBaselineRatio?: number;
  /** Hits among the cacheable queries of the scenario (the server's taskgraph_response_cache_requests_total). */
  cacheHitPercent?: number;
}

export interface Target {
  target: string;
  /** Undefined for figures reported without a target. */
  met: boolean | undefined;
  measured: string;
}

const fixed = (value: number | undefined, digits: number) => (value === undefined ? '–' : value.toFixed(digits));

const columns: [string, (row: Row) => string][] = [
  ['runtime', (row) => row.runtime],
  ['database', (row) => row.database],
  ['server', (row) => row.server],
  ['scenario', (row) => row.scenario],
  ['req/s', (row) => fixed(row.requestsPerSecond, 0)],
  ['× baseline', (row) => fixed(row.throughputRatio, 2)],
  ['× Node 24 baseline', (row) => fixed(row.primaryBaselineRatio, 2)],
  ['p50 ms', (row) => fixed(row.p50Ms, 1)],
  ['p99 ms', (row) => fixed(row.p99Ms, 1)],
  ['p99 × baseline', (row) => fixed(row.p99Ratio, 2)],
  ['errors', (row) => String(row.errors)],
  ['idle RSS MB', (row) => fixed(row.idleRssMb, 0)],
  ['peak RSS MB', (row) => fixed(row.peakRssMb, 0)],
  ['CPU ms/req', (row) => fixed(row.cpuMsPerRequest, 2)],
  ['SQL/req', (row) => fixed(row.statementsPerRequest, 2)],
  ['req bytes', (row) => fixed(row.requestBytes, 0)],
  ['cache hit %', (row) => fixed(row.cacheHitPercent, 0)],
  ['foreign CPU %', (row) => fixed(row.foreignCpuPercent, 0)],
];

export function markdownTable(rows: Row[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(columns.map(([name]) => name)),
    line(columns.map(() => '---')),
    ...rows.map((row) => line(columns.map(([, cell]) => cell(row)))),
  ].join('\n');
}

const findRow = (rows: Row[], where: Partial<Pick<Row, 'runtime' | 'database' | 'server' | 'scenario'>>) =>
  rows.find((row) => Object.entries(where).every(([key, value]) => row[key as keyof typeof where] === value));

/** The runtime a row's reference ran on: "Bun (dist/server.js)" is measured against Bun's baseline. */
const runtimeKind = (runtime: string) => runtime.split(' (')[0] ?? runtime;

/**
 * Fills the ratios: each row against the baseline measured in the same run on the same runtime and database, and
 * rows on the other runtimes also against the primary runtime's baseline.
 */
export function compareWithBaseline(rows: Row[], comparedWith: Partial<Record<ScenarioName, ScenarioName>>, primaryRuntime: string): void {
  for (const row of rows) {
    const reference = comparedWith[row.scenario];
    if (row.server === 'baseline' || !reference) continue;
    const baseline = rows.find(
      (candidate) =>
        candidate.server === 'baseline' &&
        candidate.database === row.database &&
        runtimeKind(candidate.runtime) === runtimeKind(row.runtime) &&
        candidate.scenario === reference,
    );
    if (baseline) {
      row.throughputRatio = row.requestsPerSecond / baseline.requestsPerSecond;
      row.p99Ratio = row.p99Ms / baseline.p99Ms;
    }
    const primary = findRow(rows, { server: 'baseline', database: row.database, runtime: primaryRuntime, scenario: reference });
    if (primary && runtimeKind(row.runtime) !== primaryRuntime) row.primaryBaselineRatio = row.requestsPerSecond / primary.requestsPerSecond;
  }
}

const times = (value: number) => `${value.toFixed(2)}x`;

/** The targets, each met or missed with the measured figure; targets whose rows were not run are left out. */
export function evaluateTargets(rows: Row[], primaryRuntime: string): Target[] {
  const targets: Target[] = [];
  const api = (scenario: ScenarioName, runtime = primaryRuntime, database: DatabaseLabel = 'PostgreSQL', server: ServerLabel = 'taskgraph') =>
    findRow(rows, { runtime, database, server, scenario });

  for (const [scenario, minimum, against] of [
    ['list', 0.5, 'list'],
    ['create', 0.5, 'create'],
    ['update', 0.5, 'update'],
    ['nested', 0.35, 'list'],
  ] as const) {
    const ratio = api(scenario)?.throughputRatio;
    if (ratio === undefined) continue;
    targets.push({ target: `${primaryRuntime}: ${scenario} >= ${minimum}x baseline ${against} (no response cache)`, met: ratio >= minimum, measured: times(ratio) });
  }
  for (const row of rows.filter((candidate) => candidate.server === 'taskgraph' && candidate.runtime === primaryRuntime && candidate.p99Ratio !== undefined)) {
    const p99Ratio = row.p99Ratio ?? 0;
    targets.push({ target: `${primaryRuntime}: ${row.scenario} p99 <= 3x baseline p99`, met: p99Ratio <= 3, measured: times(p99Ratio) });
  }

  const bunList = rows.find((row) => row.runtime.startsWith('Bun') && row.server === 'taskgraph' && row.scenario === 'list');
  if (bunList?.primaryBaselineRatio !== undefined) {
    targets.push({ target: `${bunList.runtime}: list >= 0.6x the ${primaryRuntime} baseline`, met: bunList.primaryBaselineRatio >= 0.6, measured: times(bunList.primaryBaselineRatio) });
  }

  const postgraphile = findRow(rows, { server: 'PostGraphile', scenario: 'list', database: 'PostgreSQL' });
  const lists = rows.filter((row) => row.server === 'taskgraph' && row.database === 'PostgreSQL' && row.scenario === 'list');
  if (postgraphile && lists.length > 0) {
    const best = lists.reduce((top, row) => (row.requestsPerSecond > top.requestsPerSecond ? row : top));
    const ratio = best.requestsPerSecond / postgraphile.requestsPerSecond;
    targets.push({
      target: `best runtime's list (${best.runtime}) >= 1.0x PostGraphile's list (${postgraphile.runtime})`,
      met: ratio >= 1,
      measured: `${times(ratio)} (${best.requestsPerSecond.toFixed(0)} vs ${postgraphile.requestsPerSecond.toFixed(0)} req/s; CPU ms/req ${best.cpuMsPerRequest.toFixed(2)} vs ${postgraphile.cpuMsPerRequest.toFixed(2)})`,
    });
  }

  for (const scenario of ['mixed', 'readMostly', 'list'] as const) {
    const cached = api(scenario, primaryRuntime, 'PostgreSQL', 'taskgraph + response cache');
    const uncached = api(scenario);
    if (!cached || !uncached) continue;
    const ratio = cached.requestsPerSecond / uncached.requestsPerSecond;
    targets.push({
      target: `${primaryRuntime}: ${scenario} with the response cache ${scenario === 'mixed' ? '>= 1.5x' : 'vs'} without`,
      met: scenario === 'mixed' ? ratio >= 1.5 : undefined,
      measured: `${times(ratio)} (${fixed(cached.cacheHitPercent, 0)}% hits; CPU ms/req ${cached.cpuMsPerRequest.toFixed(2)} vs ${uncached.cpuMsPerRequest.toFixed(2)})`,
    });
  }

  const trusted = api('list', primaryRuntime, 'PostgreSQL', 'taskgraph (trusted documents)');
  const plainList = api('list');
  if (trusted && plainList) {
    targets.push({
      target: `${primaryRuntime}: list with trusted documents vs document text`,
      met: undefined,
      measured: `${times(trusted.requestsPerSecond / plainList.requestsPerSecond)} req/s, ${trusted.requestBytes.toFixed(0)} vs ${plainList.requestBytes.toFixed(0)} request bytes`,
    });
  }

  const errors = rows.reduce((sum, row) => sum + row.errors, 0);
  targets.push({ target: 'zero errors', met: errors === 0, measured: String(errors) });

  const onPostgres = rows.filter((row) => row.server === 'taskgraph' && row.database === 'PostgreSQL');
  for (const runtime of [...new Set(onPostgres.map((row) => row.runtime))]) {
    const peak = Math.max(...onPostgres.filter((row) => row.runtime === runtime).map((row) => row.peakRssMb));
    targets.push({ target: `${runtime}: taskgraph on PostgreSQL, RSS under load <= 200 MB`, met: peak <= 200, measured: `${peak.toFixed(0)} MB` });
  }
  // The embedded database lives inside the PGlite server's process, so its RSS has its own target.
  const embedded = rows.filter((row) => row.server === 'taskgraph' && row.database === 'PGlite');
  if (embedded.length > 0) {
    const idle = embedded[0]?.idleRssMb ?? 0;
    const peak = Math.max(...embedded.map((row) => row.peakRssMb));
    targets.push({ target: `${embedded[0]?.runtime}: PGlite (embedded default) idle RSS <= 250 MB`, met: idle <= 250, measured: `${idle.toFixed(0)} MB` });
    targets.push({ target: `${embedded[0]?.runtime}: PGlite RSS under load (API and embedded database in one process)`, met: undefined, measured: `${peak.toFixed(0)} MB` });
  }

  for (const database of ['PostgreSQL', 'PGlite'] as const) {
    const deep = api('deep', primaryRuntime, database);
    const list = api('list', primaryRuntime, database);
    if (!deep || !list) continue;
    const latency = deep.p50Ms / list.p50Ms;
    targets.push({ target: `${database}: deep page p50 within 1.5x of first page (list) p50`, met: latency <= 1.5, measured: times(latency) });
  }
  return targets;
}

export function targetList(targets: Target[]): string {
  const box = (met: boolean | undefined) => (met === undefined ? '' : met ? '[x] ' : '[ ] ');
  return targets.map((target) => `- ${box(target.met)}${target.target}: ${target.measured}`).join('\n');
}
