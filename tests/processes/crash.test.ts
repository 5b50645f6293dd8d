import { expect, it } from 'vitest';
import { createTasksUntil, type RequestOutcome } from '../support/requests.js';
import { startServerProcess } from '../support/server-process.js';
import { readStoredTasks, serverEnvironment, useDataLocation } from '../support/stored-tasks.js';

const location = useDataLocation('crash');

it('kill -9 during a write burst: after a restart every acknowledged task is there, and nothing else but the unanswered', async () => {
  const server = await startServerProcess(serverEnvironment(location()));
  const acknowledged: string[] = [];
  let outcomes: RequestOutcome[];
  try {
    const load = createTasksUntil(server.url, { clients: 8, userPrefix: 'crash', acknowledged, isLast: (_, id) => !id });
    for (let waited = 0; acknowledged.length < 150 && waited < 30_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await server.stop('SIGKILL');
    outcomes = await load;
  } finally {
    await server.stop('SIGKILL');
  }
  const unanswered = outcomes.filter((outcome) => outcome.kind !== 'response').length;

  const restarted = await startServerProcess(serverEnvironment(location()));
  try {
    const ready = await fetch(`${restarted.url}/ready`);
    expect(ready.status).toBe(200);
  } finally {
    expect(await restarted.stop('SIGTERM')).toBe(0);
  }

  const stored = await readStoredTasks(location());
  const storedIds = new Set(stored.map((task) => task.id));
  expect(acknowledged.filter((id) => !storedIds.has(id))).toEqual([]);
  expect(stored.length - acknowledged.length).toBeGreaterThanOrEqual(0);
  expect(stored.length - acknowledged.length).toBeLessThanOrEqual(unanswered);
}, 120_000);
