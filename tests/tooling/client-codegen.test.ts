import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/databases.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples/client');
const committedSchema = await readFile(join(root, 'schema.graphql'), 'utf8');

interface Run {
  code: number | null;
  output: string;
}

// Under VITEST/NODE_ENV=test codegen's task renderer goes silent and hides the validation errors.
const toolEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_ENV'),
);

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...toolEnvironment, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Copies the example client (without its generated types) next to it, generates its types from the given schema
 * with the example's own codegen config, and type-checks it: what a client project does after a schema change.
 */
async function buildClientAgainst(schema: string): Promise<{ codegen: Run; tsc?: Run; generated: string }> {
  const copy = await mkdtemp(join(root, 'examples', '.codegen-check-'));
  try {
    await cp(join(example, 'operations'), join(copy, 'operations'), { recursive: true });
    await cp(join(example, 'src'), join(copy, 'src'), { recursive: true, filter: (source) => !source.includes('/gql') });
    await cp(join(example, 'tsconfig.json'), join(copy, 'tsconfig.json'));
    await writeFile(join(copy, 'schema.graphql'), schema);
    const generated = join(copy, 'src/gql');
    const codegen = await run(join(root, 'node_modules/.bin/graphql-codegen'), ['--config', 'examples/client/codegen.ts'], {
      CODEGEN_SCHEMA: relative(root, join(copy, 'schema.graphql')),
      CODEGEN_DOCUMENTS: `${relative(root, copy)}/operations/**/*.graphql`,
      CODEGEN_OUTPUT: `${relative(root, generated)}/`,
    });
    if (codegen.code !== 0) return { codegen, generated: '' };
    const tsc = await run(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', join(copy, 'tsconfig.json')]);
    const files = (await readdir(generated)).sort();
    const contents = await Promise.all(files.map(async (file) => `${file}\n${await readFile(join(generated, file), 'utf8')}`));
    return { codegen, tsc, generated: contents.join('\n') };
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

async function committedGenerated(dir = join(example, 'src/gql')): Promise<string> {
  const files = (await readdir(dir)).sort();
  const contents = await Promise.all(files.map(async (file) => `${file}\n${await readFile(join(dir, file), 'utf8')}`));
  return contents.join('\n');
}

function inTaskType(schema: string, edit: (block: string) => string): string {
  const block = /\ntype Task \{[\s\S]*?\n\}/.exec(schema)?.[0];
  if (!block) throw new Error('type Task not found in schema.graphql');
  const edited = schema.replace(block, edit(block));
  if (edited === schema) throw new Error('the edit changed nothing');
  return edited;
}

// Codegen and tsc do not depend on the database: one run (in the PGlite project) is enough.
describe.runIf(testDatabaseKind === 'pglite')('the typed example client (GraphQL Code Generator + tsc)', () => {
  it('generates and type-checks from the committed schema.graphql, matching the committed types', async () => {
    const { codegen, tsc, generated } = await buildClientAgainst(committedSchema);
    expect(codegen.code, codegen.output).toBe(0);
    expect(tsc?.code, tsc?.output).toBe(0);
    expect(generated, 'examples/client/src/gql is stale: run `npm run client:codegen` and commit it').toBe(
      await committedGenerated(),
    );
  }, 240_000);

  it('fails at codegen when the schema drops a field the operations select', async () => {
    const withoutCompleted = inTaskType(committedSchema, (block) => block.replace(/\n\s*""".*"""\n\s*completed: Boolean!/, ''));
    const { codegen } = await buildClientAgainst(withoutCompleted);
    expect(codegen.code).not.toBe(0);
    expect(codegen.output).toMatch(/Cannot query field "completed" on type "Task"/);
  }, 240_000);

  it('fails at tsc when the schema changes a type the client code relies on', async () => {
    const nullableTitle = inTaskType(committedSchema, (block) => block.replace('title: String!', 'title: String'));
    const { codegen, tsc } = await buildClientAgainst(nullableTitle);
    expect(codegen.code, codegen.output).toBe(0);
    expect(tsc?.code).not.toBe(0);
    expect(tsc?.output).toMatch(/src\/tasks\.ts.*'task\.title' is possibly 'null'/);
  }, 240_000);

  it('generates the web app\'s typed documents and trusted documents manifest, matching the committed ones', async () => {
    const copy = await mkdtemp(join(root, 'examples', '.codegen-check-web-'));
    try {
      const codegen = await run(join(root, 'node_modules/.bin/graphql-codegen'), ['--config', 'examples/web/codegen.ts'], {
        CODEGEN_OUTPUT: `${relative(root, copy)}/`,
      });
      expect(codegen.code, codegen.output).toBe(0);
      expect(await committedGenerated(copy), 'examples/web/src/gql is stale: run `npm run web:codegen` and commit it').toBe(
        await committedGenerated(join(root, 'examples/web/src/gql')),
      );
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 240_000);
});
