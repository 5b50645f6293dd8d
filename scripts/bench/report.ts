import type { LoadResult } from './load.js';
import type { ScenarioName } from './scenarios.js';

export type DatabaseLabel = 'PostgreSQL' | 'PGlite';
export type ServerLabel = 'taskgraph' | 'taskgraph (trusted documents)' | 'Yoga + Prisma' | 'Yoga + pg' | 'baseline';

export interface Row extends LoadResult {
  database: DatabaseLabel;
  server: ServerLabel;
  scenario: ScenarioName;
  peakRssMb: number;
  cpuMsPerRequest: number;
  /** Share of the machine's CPU used by processes outside the bench during the run. */
  foreignCpuPercent: number;
  statementsPerRequest?: number;
  /** Mean size of the JSON request body the load generator sends. */
  requestBytes: number;
  /** Against the PostgreSQL baseline's comparable scenario (list for nested). */
  throughputRatio?: number;
  p99Ratio?: number;
}

export interface Target {
  target: string;
  /** Undefined for figures reported without a target. */
  met: boolean | undefined;
  measured: string;
}

const fixed = (value: number | undefined, digits: number) => (value === undefined ? '–' : value.toFixed(digits));

export function markdownTable(rows: Row[]): string {
  const header =
    '| database | server | scenario | req/s | × baseline | p50 ms | p99 ms | p99 × baseline | errors | peak RSS MB | CPU ms/req | SQL/req | req bytes | foreign CPU % |';
  const lines = rows.map((row) =>
    [
      row.database,
      row.server,
      row.scenario,
      fixed(row.requestsPerSecond, 0),
      fixed(row.throughputRatio, 2),
      fixed(row.p50Ms, 1),
      fixed(row.p99Ms, 1),
      fixed(row.p99Ratio, 2),
      String(row.errors),
      fixed(row.peakRssMb, 0),
      fixed(row.cpuMsPerRequest, 2),
      fixed(row.statementsPerRequest, 2),
      fixed(row.requestBytes, 0),
      fixed(row.foreignCpuPercent, 0),
    ].join(' | '),
  );
  return [header, `|${' --- |'.repeat(14)}`, ...lines.map((line) => `| ${line} |`)].join('\n');
}

export function compareWithBaseline(rows: Row[], comparedWith: Partial<Record<ScenarioName, ScenarioName>>): void {
  for (const row of rows) {
    const reference = comparedWith[row.scenario];
    const baseline = rows.find(
      (candidate) => candidate.database === 'PostgreSQL' && candidate.server === 'baseline' && candidate.scenario === reference,
    );
    if (row.server === 'baseline' || row.database !== 'PostgreSQL' || !baseline) continue;
    row.throughputRatio = row.requestsPerSecond / baseline.requestsPerSecond;
    row.p99Ratio = row.p99Ms / baseline.p99Ms;
  }
}

export function evaluateTargets(rows: Row[]): Target[] {
  const api = (database: DatabaseLabel, scenario: ScenarioName) =>
    rows.find((row) => row.database === database && row.server === 'taskgraph' && row.scenario === scenario);
  const targets: Target[] = [];
  const ratio = (scenario: ScenarioName, minimum: number, against: string) => {
    const row = api('PostgreSQL', scenario);
    if (row?.throughputRatio === undefined) return;
    targets.push({
      target: `${scenario} throughput >= ${minimum}x baseline ${against}`,
      met: row.throughputRatio >= minimum,
      measured: `${row.throughputRatio.toFixed(2)}x`,
    });
  };
  ratio('list', 0.5, 'list');
  ratio('create', 0.6, 'create');
  ratio('update', 0.6, 'update');
  ratio('nested', 0.4, 'list');
  for (const row of rows.filter((candidate) => candidate.server === 'taskgraph' && candidate.p99Ratio !== undefined)) {
    const p99Ratio = row.p99Ratio ?? 0;
    targets.push({ target: `${row.scenario} p99 <= 3x baseline p99`, met: p99Ratio <= 3, measured: `${p99Ratio.toFixed(2)}x` });
  }
  const errors = rows.reduce((sum, row) => sum + row.errors, 0);
  targets.push({ target: 'zero errors', met: errors === 0, measured: String(errors) });
  // The embedded database lives inside the PGlite server's process, so its RSS is reported apart from the API's.
  for (const database of ['PostgreSQL', 'PGlite'] as const) {
    const measured = rows.filter((row) => row.server === 'taskgraph' && row.database === database);
    if (measured.length === 0) continue;
    const peak = Math.max(...measured.map((row) => row.peakRssMb));
    if (database === 'PostgreSQL') {
      targets.push({ target: 'taskgraph RSS under load <= 200 MB', met: peak <= 200, measured: `${peak.toFixed(0)} MB` });
    } else {
      targets.push({ target: 'PGlite server RSS under load (API and embedded database in one process)', met: undefined, measured: `${peak.toFixed(0)} MB` });
    }
  }
  for (const database of ['PostgreSQL', 'PGlite'] as const) {
    const deep = api(database, 'deep');
    const list = api(database, 'list');
    if (!deep || !list) continue;
    const latency = deep.p50Ms / list.p50Ms;
    targets.push({
      target: `${database}: deep page p50 within 1.5x of first page (list) p50`,
      met: latency <= 1.5,
      measured: `${latency.toFixed(2)}x`,
    });
  }
  return targets;
}

export function targetList(targets: Target[]): string {
  const box = (met: boolean | undefined) => (met === undefined ? '' : met ? '[x] ' : '[ ] ');
  return targets.map((target) => `- ${box(target.met)}${target.target}: ${target.measured}`).join('\n');
}
