import { afterEach, describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import { useRealPort } from '../support/http-server.js';
import { createTask, deleteTaskMutation, expectErrorCode, expectNoErrors, updateTaskMutation } from '../support/operations.js';
import { subscribeTaskEvents, type TaskEventStream, untilLive } from '../support/task-events.js';

const api = useTestApi();
const serverUrl = useRealPort(api);
const streams: TaskEventStream[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

/** A live taskEvents subscription over SSE from a real port; events stay in this process (no Redis). */
async function follow(userId: string): Promise<TaskEventStream> {
  const stream = subscribeTaskEvents({ url: `${serverUrl()}/graphql`, userId });
  streams.push(stream);
  await untilLive(stream, (title) => createTask(api(), userId, { title }));
  return stream;
}

describe('taskEvents subscription (in-process, over SSE)', () => {
  it('delivers CREATED, UPDATED and DELETED with the task, in order', async () => {
    const userId = uniqueUserId('events');
    const stream = await follow(userId);
    const task = await createTask(api(), userId, { title: 'Water the plants' });
    expectNoErrors(await api().graphql(updateTaskMutation, { userId, id: task.id, input: { completed: true } }));
    expectNoErrors(await api().graphql(deleteTaskMutation, { userId, id: task.id }));
    await stream.waitFor((event) => event.type === 'DELETED' && event.task.id === task.id);
    expect(stream.events()).toEqual([
      { type: 'CREATED', task: { id: task.id, title: 'Water the plants', description: null, completed: false, user: { id: userId } } },
      { type: 'UPDATED', task: { id: task.id, title: 'Water the plants', description: null, completed: true, user: { id: userId } } },
      { type: 'DELETED', task: { id: task.id, title: 'Water the plants', description: null, completed: true, user: { id: userId } } },
    ]);
  });

  it("never delivers another user's events", async () => {
    const alice = uniqueUserId('alice');
    const bob = uniqueUserId('bob');
    const aliceStream = await follow(alice);
    const bobStream = await follow(bob);
    const bobSeenBefore = bobStream.received.length;
    await createTask(api(), alice, { title: "Alice's secret" });
    await aliceStream.waitFor((event) => event.task.title === "Alice's secret");
    const bobsOwn = await createTask(api(), bob, { title: "Bob's errand" });
    await bobStream.waitFor((event) => event.task.id === bobsOwn.id, { from: bobSeenBefore });
    expect(bobStream.received.slice(bobSeenBefore).map((event) => event.task.title)).toEqual(["Bob's errand"]);
  });

  it('sends no event for a failed write', async () => {
    const userId = uniqueUserId('events');
    const stream = await follow(userId);
    const response = await api().graphql(deleteTaskMutation, { userId, id: '01900000-0000-7000-8000-000000000000' });
    expectErrorCode(response, 'NOT_FOUND');
    const task = await createTask(api(), userId, { title: 'After the failure' });
    await stream.waitFor((event) => event.task.id === task.id);
    expect(stream.events().map((event) => event.type)).toEqual(['CREATED']);
  });

  it('delivers each later event once to a client that dropped and reconnected', async () => {
    const userId = uniqueUserId('events');
    const first = await follow(userId);
    const task = await createTask(api(), userId, { title: 'Before the drop' });
    await first.waitFor((event) => event.task.id === task.id);
    first.close();
    const seenByFirst = first.received.length;

    const second = await follow(userId);
    expectNoErrors(await api().graphql(updateTaskMutation, { userId, id: task.id, input: { title: 'After the drop' } }));
    await second.waitFor((event) => event.type === 'UPDATED');
    const marker = await createTask(api(), userId, { title: 'Closing marker' });
    await second.waitFor((event) => event.task.id === marker.id);
    expect(second.events().map((event) => `${event.type} ${event.task.title}`)).toEqual([
      'UPDATED After the drop',
      'CREATED Closing marker',
    ]);
    expect(first.received).toHaveLength(seenByFirst);
  });

  it('rejects an invalid userId with BAD_USER_INPUT', async () => {
    const response = await api().fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { taskEvents(userId: "") { type } }' }),
    });
    const body = await response.text();
    expect(body).toContain('BAD_USER_INPUT');
    expect(body).toContain('"field":"userId"');
  });
});
