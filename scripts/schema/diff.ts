// npm run schema:diff [git-ref]: breaking and dangerous changes of schema.graphql since the ref (default: the latest
// tag, else the previous commit). Exits 1 on a breaking change that no commit since the ref declares.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { declaresBreakingChange, diffSchemas, type SchemaChange } from './changes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

function defaultRef(): string | undefined {
  return git('describe', '--tags', '--abbrev=0')?.trim() ?? (git('rev-parse', '--verify', '--quiet', 'HEAD~1') ? 'HEAD~1' : undefined);
}

const ref = process.argv[2] ?? defaultRef();
if (!ref) {
  console.log('schema:diff: no tag and no previous commit to compare with; nothing to check.');
  process.exit(0);
}
const previous = git('show', `${ref}:schema.graphql`);
if (previous === undefined) {
  console.log(`schema:diff: ${ref} has no schema.graphql; nothing to compare with.`);
  process.exit(0);
}
const current = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
const { breaking, dangerous } = diffSchemas(previous, current);

const list = (title: string, changes: SchemaChange[]) => {
  console.log(`${title} (${changes.length}):`);
  for (const change of changes) console.log(`  - ${change.type}: ${change.description}`);
};
console.log(`schema.graphql compared with ${ref}`);
list('Breaking changes', breaking);
list('Dangerous changes', dangerous);

if (breaking.length > 0) {
  const messages = (git('log', '--format=%B%x00', `${ref}..HEAD`) ?? '').split('\0');
  if (declaresBreakingChange(messages)) {
    console.log('Breaking changes are declared by a commit message (BREAKING CHANGE:).');
  } else {
    console.error(
      'Breaking changes that no commit declares. Keep the old fields (deprecate them instead), or, if clients ' +
        'are ready, add a line "BREAKING CHANGE: <what breaks and what to do>" to the commit message.',
    );
    process.exit(1);
  }
}
