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

const conflicts = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  const required = entry.engines?.node;
  if (!path || !required || typeof required !== 'string') continue;
  if (neverLoaded.has(path.replace(/^.*node_modules\//, ''))) continue;
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
