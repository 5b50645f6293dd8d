// `npm install` leaves a runnable server: generate the Prisma client offline, then compile src/ to dist/.
// A production install without devDependencies (no TypeScript) keeps the dist/ it was shipped with.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run(process.execPath, ['scripts/build/generate.mjs']);

let hasTypeScript = true;
try {
  createRequire(import.meta.url).resolve('typescript');
} catch {
  hasTypeScript = false;
}
if (hasTypeScript) run('tsc', ['-p', 'tsconfig.build.json', '--noCheck']);
else console.log('TypeScript is not installed: skipping the build, dist/ must already exist.');
