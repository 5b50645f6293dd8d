// Measures start-up of the compiled server: from spawning `node dist/server.js` to the first answered GraphQL
// request, on a new embedded database, an existing one, and PostgreSQL. Run `npm run build` first.
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from '../db/admin.js';
import { adminUrl, freePort, projectRoot as root } from './processes.js';

const runs = Number(process.env.STARTUP_RUNS ?? 5);

async function timeToFirstAnswer(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error('the server exited during start-up');
      if (performance.now() - started > 60_000) throw new Error('the server did not answer within 60 s');
      try {
        const response = await fetch(`http://127.0.0.1:${port}/graphql?query=%7B__typename%7D`);
        if (response.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function summarize(label: string, samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const format = (ms: number) => `${Math.round(ms)} ms`;
  return `| ${label} | ${format(median)} | ${format(sorted[0] ?? 0)} | ${format(sorted.at(-1) ?? 0)} | ${samples.length} |`;
}

async function main() {
  await access(join(root, 'dist/server.js')).catch(() => {
    throw new Error('dist/server.js is missing: run npm run build first');
  });
  const rows: string[] = [];

  const freshSamples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const dir = await mkdtemp(join(tmpdir(), 'taskgraph-startup-'));
    try {
      freshSamples.push(await timeToFirstAnswer({ DATA_DIR: dir }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  rows.push(summarize('embedded PGlite, new data folder (initdb + migrations)', freshSamples));

  const dir = await mkdtemp(join(tmpdir(), 'taskgraph-startup-'));
  try {
    await timeToFirstAnswer({ DATA_DIR: dir });
    const samples: number[] = [];
    for (let run = 0; run < runs; run += 1) samples.push(await timeToFirstAnswer({ DATA_DIR: dir }));
    rows.push(summarize('embedded PGlite, existing data folder', samples));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const database = await createScratchDatabase(adminUrl, 'taskgraph_startup');
  try {
    await timeToFirstAnswer({ DATABASE_URL: database.url });
    const samples: number[] = [];
    for (let run = 0; run < runs; run += 1) samples.push(await timeToFirstAnswer({ DATABASE_URL: database.url }));
    rows.push(summarize('PostgreSQL, migrated database', samples));
  } finally {
    await database.drop();
  }

  console.log(`Start-up of node dist/server.js to the first answered request (Node ${process.version}):\n`);
  console.log('| database | median | min | max | runs |\n|---|---|---|---|---|');
  console.log(rows.join('\n'));
}

await main();
