// The runtimes the bench runs servers on: Node 24 for every server by default, and the API with its baseline on
// the machine's Node, Node 22 and Bun besides. The extra runtimes come from scripts/build/runtimes.mjs (the npm
// registry's official builds, cached in ~/.cache/taskgraph); the smoke run only uses the ones already cached.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installedRuntime, type RuntimeName, runtimeExecutable, runtimeVersions } from '../build/runtimes.mjs';
import { projectRoot } from './processes.js';

export interface Runtime {
  /** As the table shows it: "Node 24", "Bun". */
  label: string;
  kind: RuntimeName;
  version: string;
  executable: string;
}

const major = (version: string) => version.split('.')[0] ?? version;

/** How the bench names the runtimes on its command line (--runtimes=node20,bun). */
export type RuntimeKey = 'node20' | 'node22' | 'node24' | 'bun';

const candidates: Record<RuntimeKey, { kind: RuntimeName; version: string }> = {
  node20: { kind: 'node', version: runtimeVersions.node20 },
  node22: { kind: 'node', version: runtimeVersions.node22 },
  node24: { kind: 'node', version: runtimeVersions.node24 },
  bun: { kind: 'bun', version: runtimeVersions.bun },
};

export const isRuntimeKey = (key: string): key is RuntimeKey => key in candidates;

const labelOf = (kind: RuntimeName, version: string) => (kind === 'bun' ? 'Bun' : `Node ${major(version)}`);

/**
 * The runtime for `key`: the machine's Node as is; another one from the cache, installed first when `install`
 * (the full run), else undefined when it is not cached yet (the smoke run, which CI runs, downloads nothing).
 */
export function resolveRuntime(key: RuntimeKey, install: boolean): Runtime | undefined {
  const { kind, version } = candidates[key];
  const label = labelOf(kind, version);
  if (kind === 'node' && version === process.versions.node) return { label, kind, version, executable: process.execPath };
  const executable = install ? runtimeExecutable(kind, version) : installedRuntime(kind, version);
  return executable ? { label, kind, version, executable } : undefined;
}

export const currentNode: Runtime = {
  label: labelOf('node', process.versions.node),
  kind: 'node',
  version: process.versions.node,
  executable: process.execPath,
};

/**
 * The V8 flags `npm start` passes to node (`exec node <flags> dist/server.js` in package.json), so the bench
 * measures the API as it is started in production.
 */
export function startScriptNodeFlags(): string[] {
  const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = packageJson.scripts.start.split(/\s+/);
  const from = words.indexOf('node') + 1;
  const to = words.indexOf('dist/server.js');
  return from > 0 && to > from ? words.slice(from, to) : [];
}
