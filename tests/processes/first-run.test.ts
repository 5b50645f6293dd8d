import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKind } from '../support/databases.js';
import { runServerExpectingExit, startServerProcess } from '../support/server-process.js';

describe.runIf(testDatabaseKind === 'pglite')('the first start on a new embedded database', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskgraph-first-run-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says it is creating the database before the slow initialisation, and not again on a reopen', async () => {
    const dataFolder = join(dataDir, 'pglite');
    const first = await startServerProcess({ DATA_DIR: dataFolder });
    expect(await first.stop()).toBe(0);
    const creating = first.output().indexOf(`creating the embedded database in ${dataFolder}`);
    expect(creating).toBeGreaterThanOrEqual(0);
    expect(creating).toBeLessThan(first.output().indexOf('taskgraph listening'));

    const second = await startServerProcess({ DATA_DIR: dataFolder });
    expect(await second.stop()).toBe(0);
    expect(second.output()).not.toContain('creating the embedded database');
  }, 120_000);
});

describe.runIf(testDatabaseKind === 'pglite')('log format', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'taskgraph-log-format-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes readable lines with LOG_FORMAT=pretty, to the last one at shutdown', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir, LOG_FORMAT: 'pretty' });
    expect(await server.stop()).toBe(0);
    const lines = server.output().split('\n');
    expect(lines.some((line) => line.trimStart().startsWith('{'))).toBe(false);
    expect(lines).toContainEqual(expect.stringMatching(/^\[[\d:.]+\] INFO \(\d+\): taskgraph listening on http:\/\/localhost:\d+\/graphql$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[[\d:.]+\] INFO: shutdown complete$/));
  }, 120_000);

  it('writes JSON lines by default when the output is not a terminal', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir });
    expect(await server.stop()).toBe(0);
    const lines = server.output().split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain('shutdown complete');
  }, 120_000);
});

describe.runIf(testDatabaseKind === 'postgres' && !process.env.TEST_DB?.includes('pgbouncer'))('a DATABASE_URL naming a database that does not exist', () => {
  it('stops with exit code 2 and one line saying how to create it, no stack trace', async () => {
    const url = new URL(process.env.TEST_DATABASE_URL ?? '');
    const name = `taskgraph_missing_${randomUUID().replaceAll('-', '')}`;
    url.pathname = `/${name}`;
    const { code, output } = await runServerExpectingExit({ DATABASE_URL: url.toString(), PORT: '0' });
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toEqual([
      expect.stringContaining(`the database "${name}" does not exist on ${url.hostname}:${url.port || '5432'}`),
    ]);
    expect(output).toContain(`createdb -h ${url.hostname} -p ${url.port || '5432'} -U ${url.username || 'postgres'} ${name}`);
  }, 60_000);
});
