// Fails when an installed package declares an `engines.node` range that excludes a Node version we support,
// so the support range in package.json stays honest. Reads the lockfile, which records every package's engines.
import { readFileSync } from 'node:fs';
import semver from 'semver';

const root = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'));
const supported = root.engines.node;

// Packages that never run in this project, with the reason; everything else must support every supported Node.
const neverLoaded = new Map([
  ['@prisma/streams-local', 'used only by the `prisma dev` command (a local Prisma Postgres), which this project never runs'],
]);

// The benchmark's PostGraphile peer runs in its own process on Node 22+ (scripts/bench); the API never loads it.
const benchOnly = dependencyClosure('node_modules/postgraphile');

function dependencyClosure(start) {
  const seen = new Set();
  const pending = [start];
  while (pending.length > 0) {
    const path = pending.pop();
    const entry = lock.packages[path];
    if (!entry || seen.has(path)) continue;
    seen.add(path);
    for (const name of Object.keys({ ...entry.dependencies, ...entry.peerDependencies })) {
      pending.push(resolveFrom(path, name));
    }
  }
  return seen;
}

function resolveFrom(path, name) {
  for (let dir = path; ; dir = dir.slice(0, dir.lastIndexOf('/node_modules/'))) {
    if (lock.packages[`${dir}/node_modules/${name}`]) return `${dir}/node_modules/${name}`;
    if (!dir.includes('/node_modules/')) return `node_modules/${name}`;
  }
}

const conflicts = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  const required = entry.engines?.node;
  if (!path || !required || typeof required !== 'string') continue;
  if (neverLoaded.has(path.replace(/^.*node_modules\//, ''))) continue;
  if (entry.dev && benchOnly.has(path)) continue;
  if (!semver.validRange(required)) continue;
  if (!semver.subset(supported, required, { includePrerelease: false })) {
    conflicts.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} requires node ${required}`);
  }
}

if (conflicts.length > 0) {
  console.error(`These packages do not support every Node version in engines (${supported}):\n  ${conflicts.join('\n  ')}`);
  process.exit(1);
}
console.log(`Every package supports node ${supported}.`);
