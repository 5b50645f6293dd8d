import { expect, it } from 'vitest';
import { graphQLBody, postOperation } from '../support/requests.js';
import {
  createTaskMutation,
  deleteTaskMutation,
  taskQuery,
  tasksQuery,
  updateTaskMutation,
} from '../support/operations.js';
import { type ServerProcess, startServerProcess } from '../support/server-process.js';
import { readStoredTasks, serverEnvironment, type StoredTask, useDataLocation } from '../support/stored-tasks.js';

// A few seconds in CI; SOAK_SECONDS=300 npx vitest run tests/processes/soak.test.ts for a long run.
const soakSeconds = Number(process.env.SOAK_SECONDS ?? 3);
const clients = 12;
const usersPerClient = 2;

type ModelTask = Omit<StoredTask, 'id' | 'userId'>;

const location = useDataLocation('soak');

const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

/**
 * One client: owns its users, so every acknowledged operation has a single, known effect on its model and every
 * read can be checked exactly. Returns the problems it saw.
 */
async function runClient(
  server: ServerProcess,
  client: number,
  model: Map<string, Map<string, ModelTask>>,
  deadline: number,
): Promise<string[]> {
  const problems: string[] = [];
  const ownUsers = Array.from({ length: usersPerClient }, (_, index) => `soak-${client}-${index}`);
  for (const userId of ownUsers) model.set(userId, new Map());
  const otherUsers = [...Array.from({ length: clients }).keys()]
    .filter((other) => other !== client)
    .map((other) => `soak-${other}-0`);
  const call = async <Data>(query: string, variables: Record<string, unknown>, what: string) => {
    const outcome = await postOperation(server.url, query, variables);
    const body = graphQLBody<Data>(outcome);
    if (!body) problems.push(`${what}: ${JSON.stringify(outcome)}`);
    return body;
  };
  const expectSame = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  };
  const fieldsOf = (task: ModelTask & { id: string }): ModelTask => ({
    title: task.title,
    description: task.description,
    completed: task.completed,
  });

  for (let step = 0; Date.now() < deadline && problems.length === 0; step += 1) {
    const userId = pick(ownUsers) ?? 'unreachable';
    const tasks = model.get(userId) ?? new Map<string, ModelTask>();
    const taskId = pick([...tasks.keys()]);
    const roll = Math.random();
    if (roll < 0.4 || taskId === undefined) {
      const input = { title: `c${client} s${step}`, description: step % 3 === 0 ? null : `d${step}`, completed: step % 5 === 0 };
      const body = await call<{ createTask: ModelTask & { id: string } }>(createTaskMutation, { userId, input }, 'create');
      const created = body?.data?.createTask;
      if (!created) {
        if (body) problems.push(`create failed: ${JSON.stringify(body.errors)}`);
        continue;
      }
      tasks.set(created.id, fieldsOf(created));
      expectSame('created task', fieldsOf(created), input);
    } else if (roll < 0.65) {
      const input =
        step % 3 === 0 ? { completed: step % 2 === 0 } : step % 3 === 1 ? { title: `c${client} u${step}` } : { description: null };
      const body = await call<{ updateTask: ModelTask & { id: string } }>(updateTaskMutation, { userId, id: taskId, input }, 'update');
      const updated = body?.data?.updateTask;
      if (!updated) {
        if (body) problems.push(`update failed: ${JSON.stringify(body.errors)}`);
        continue;
      }
      const expected = { ...(tasks.get(taskId) as ModelTask), ...input };
      tasks.set(taskId, fieldsOf(updated));
      expectSame('updated task', fieldsOf(updated), expected);
    } else if (roll < 0.8) {
      const body = await call<{ deleteTask: ModelTask & { id: string } }>(deleteTaskMutation, { userId, id: taskId }, 'delete');
      const deleted = body?.data?.deleteTask;
      if (!deleted) {
        if (body) problems.push(`delete failed: ${JSON.stringify(body.errors)}`);
        continue;
      }
      expectSame('deleted task', fieldsOf(deleted), tasks.get(taskId));
      tasks.delete(taskId);
    } else if (roll < 0.88) {
      const body = await call<{ task: (ModelTask & { id: string }) | null }>(taskQuery, { userId, id: taskId }, 'read');
      if (body) expectSame('read task', body.data?.task ? fieldsOf(body.data.task) : null, tasks.get(taskId));
    } else if (roll < 0.94) {
      const body = await call<{ tasks: { totalCount: number; edges: { node: { id: string } }[] } }>(
        tasksQuery,
        { userId, first: 100 },
        'list',
      );
      if (body) {
        expectSame('task count', body.data?.tasks.totalCount, tasks.size);
        if (tasks.size <= 100) {
          expectSame('listed ids', body.data?.tasks.edges.map((edge) => edge.node.id).sort(), [...tasks.keys()].sort());
        }
      }
    } else {
      const stranger = pick(otherUsers) ?? 'nobody';
      const read = await call<{ task: unknown }>(taskQuery, { userId: stranger, id: taskId }, 'foreign read');
      if (read) expectSame(`task of ${userId} read as ${stranger}`, read.data?.task, null);
      const write = await call(updateTaskMutation, { userId: stranger, id: taskId, input: { title: 'stolen' } }, 'foreign update');
      if (write) expectSame(`task of ${userId} updated as ${stranger}`, write.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    }
  }
  return problems;
}

it(
  'many clients mixing writes and reads across users: the database ends with exactly the acknowledged state',
  async () => {
    const server = await startServerProcess({ ...serverEnvironment(location()), LOG_LEVEL: 'info' });
    const model = new Map<string, Map<string, ModelTask>>();
    let problems: string[];
    try {
      const deadline = Date.now() + soakSeconds * 1000;
      problems = (await Promise.all(Array.from({ length: clients }, (_, client) => runClient(server, client, model, deadline)))).flat();
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }
    expect(problems.slice(0, 10)).toEqual([]);

    const expected = [...model].flatMap(([userId, tasks]) => [...tasks].map(([id, task]) => ({ id, userId, ...task })));
    const stored = (await readStoredTasks(location())).filter((task) => task.userId.startsWith('soak-'));
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(stored.sort(byId)).toEqual(expected.sort(byId));
  },
  (soakSeconds + 120) * 1000,
);
