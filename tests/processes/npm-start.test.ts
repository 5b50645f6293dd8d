import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createTaskMutation } from '../support/operations.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { serverEnvironment, useDataLocation } from '../support/stored-tasks.js';

// What `docker stop`, systemd or a supervisor does to the one process it started, and what Ctrl-C does to a terminal's
// foreground job: npm's pid, or npm's whole process group, gets the signal.
describe('npm start', () => {
  const location = useDataLocation('npm-start');

  it.each([
    ['SIGTERM to npm', 'SIGTERM', 'npm'],
    ['SIGINT to npm', 'SIGINT', 'npm'],
    ['Ctrl-C (SIGINT to the process group)', 'SIGINT', 'group'],
  ] as const)('%s: the server finishes the request in flight and exits, and npm exits 0', async (_, signal, target) => {
    const npm = await startServerProcess({ ...serverEnvironment(location()), npm_config_update_notifier: 'false' }, 'npm start');
    try {
      const inFlight = await startRequest(npm.url, JSON.stringify({ query: createTaskMutation, variables: { userId: 'npm', input: { title: signal } } }));
      process.kill(target === 'group' ? -pid(npm) : pid(npm), signal);
      await expect.poll(() => npm.output(), { timeout: 10_000 }).toContain('shutting down');
      const response = await inFlight.finish();
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ data: { createTask: { id: expect.any(String) } } });
      expect(await exitWithin(npm, 15_000)).toBe(0);
      expect(isRunning(npm.serverPid)).toBe(false);
      expect(npm.output()).toContain('shutdown complete');
    } finally {
      killGroup(npm);
    }
  }, 120_000);
});

function pid(npm: ServerProcess): number {
  if (npm.child.pid === undefined) throw new Error('npm did not start');
  return npm.child.pid;
}

/** A request whose body is still being sent once the server has started handling it (it answered 100 Continue). */
async function startRequest(url: string, body: string) {
  const sending = request(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
  });
  const response = new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    sending.once('error', reject);
    sending.once('response', (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.once('end', () => resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
  // Unanswered when a test fails before finishing it: not an unhandled rejection then.
  response.catch(() => undefined);
  sending.flushHeaders();
  await new Promise<void>((resolve, reject) => {
    sending.once('continue', resolve);
    sending.once('error', reject);
  });
  return {
    finish() {
      sending.end(body);
      return response;
    },
  };
}

/** npm's exit code, or 'still running' when it has not exited in time. */
function exitWithin(npm: ServerProcess, timeoutMs: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), timeoutMs)));
  return Promise.race([npm.exited, timeout]).finally(() => clearTimeout(timer));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The server may outlive npm (orphaned, in npm's group): end whatever is left of the group.
function killGroup(npm: ServerProcess) {
  try {
    process.kill(-pid(npm), 'SIGKILL');
  } catch {
    // Already gone.
  }
}
