import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataFolderLockFile } from '../../src/data-folder-lock.js';
import { testDatabaseKind } from '../support/databases.js';
import { createTaskMutation } from '../support/operations.js';
import { postGraphQL } from '../support/requests.js';
import { runServerExpectingExit, runToExit, startServerProcess } from '../support/server-process.js';
import { readStoredTasks, useDataLocation } from '../support/stored-tasks.js';

// PGlite is single-process: the embedded data folder belongs to one process at a time.
describe.runIf(testDatabaseKind === 'pglite')('the embedded data folder', () => {
  const location = useDataLocation('lock');
  const dataDir = () => {
    const current = location();
    if (current.kind !== 'pglite') throw new Error('PGlite only');
    return current.dataDir;
  };

  async function createTask(url: string, title: string): Promise<string> {
    const created = await postGraphQL<{ createTask: { id: string } }>(url, createTaskMutation, {
      userId: 'owner',
      input: { title },
    });
    expect(created.errors).toBeUndefined();
    return created.data?.createTask.id ?? '';
  }

  async function storedTaskIds(): Promise<string[]> {
    return (await readStoredTasks(location())).map((task) => task.id).sort();
  }

  it('a second server on a folder in use is refused before it binds its port, and the first keeps every write', async () => {
    const first = await startServerProcess({ DATA_DIR: dataDir() });
    try {
      const before = await createTask(first.url, 'before the second server');
      // The same port: a refusal about the port would mean the second server got as far as opening the folder.
      const second = await runServerExpectingExit({ DATA_DIR: dataDir(), HOST: '127.0.0.1', PORT: new URL(first.url).port });
      expect(second.code).toBe(2);
      expect(second.output).toContain(
        `the data folder ${dataDir()} is in use by process ${first.serverPid}; stop it or set DATA_DIR`,
      );
      const after = await createTask(first.url, 'after the second server');
      expect(await first.stop()).toBe(0);
      expect(await storedTaskIds()).toEqual(expect.arrayContaining([before, after]));
    } finally {
      await first.stop('SIGKILL');
    }
  }, 120_000);

  it('npm run db:seed while the server runs is refused and leaves the server’s data as it was', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir() });
    try {
      const before = await storedTaskIdsThroughApi(server.url);
      const seed = await runToExit('npm', ['run', 'db:seed'], { DATA_DIR: dataDir() });
      expect(seed.code).toBe(2);
      expect(seed.output).toContain(`the data folder ${dataDir()} is in use by process ${server.serverPid}; stop it`);
      const written = await createTask(server.url, 'written after the refused seed');
      expect(await server.stop()).toBe(0);
      const stored = await readStoredTasks(location());
      expect(stored.map((task) => task.id).sort()).toEqual([...before, written].sort());
      expect(stored.filter((task) => task.userId === 'alice')).toEqual([]);
    } finally {
      await server.stop('SIGKILL');
    }
  }, 120_000);

  it('a lock left by a process that no longer runs is taken over, with a warning in the log', async () => {
    const deadPid = await pidOfAnEndedProcess();
    const since = new Date(Date.now() - 60_000).toISOString();
    await writeFile(join(dataDir(), dataFolderLockFile), `${JSON.stringify({ pid: deadPid, hostname: hostname(), since })}\n`);
    const server = await startServerProcess({ DATA_DIR: dataDir() });
    try {
      expect(server.output()).toContain('took over the data folder lock of a process that no longer runs');
      expect(server.output()).toContain(`"stalePid":${deadPid}`);
      await createTask(server.url, 'after the takeover');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);

  it('a server that stopped cleanly leaves the folder free: no lock file remains', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir() });
    expect(existsSync(join(dataDir(), dataFolderLockFile))).toBe(true);
    expect(await server.stop('SIGINT')).toBe(0);
    expect(existsSync(join(dataDir(), dataFolderLockFile))).toBe(false);
  }, 120_000);

  async function storedTaskIdsThroughApi(url: string): Promise<string[]> {
    const listed = await postGraphQL<{ tasks: { edges: { node: { id: string } }[] } }>(
      url,
      `{ tasks(userId: "owner", first: 100) { edges { node { id } } } }`,
    );
    return (listed.data?.tasks.edges ?? []).map((edge) => edge.node.id);
  }
});

function pidOfAnEndedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', () => resolve(child.pid ?? 0)));
}
