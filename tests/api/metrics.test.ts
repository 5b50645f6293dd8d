import { describe, expect, it } from 'vitest';
import { startTestApi, uniqueUserId, useTestApi } from '../support/api.js';
import { testDatabaseKind } from '../support/databases.js';
import { createTask, tasksQuery } from '../support/operations.js';

const api = useTestApi({ metrics: true });

async function scrape(): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await api().fetch('/metrics');
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of the sample whose name and labels contain all the given parts, or undefined. */
function sample(text: string, name: string, labels: string[]): number | undefined {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && labels.every((label) => candidate.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  it('answers in the Prometheus text format', async () => {
    const { status, contentType, text } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE graphql_envelop_request_duration histogram');
  });

  it('counts requests per operation name and type', async () => {
    const userId = uniqueUserId();
    await api().graphql(tasksQuery, { userId, first: 1 });
    await api().graphql(tasksQuery, { userId, first: 2 });
    const { text } = await scrape();
    expect(sample(text, 'graphql_envelop_request', ['operationName="Tasks"', 'operationType="query"'])).toBe(2);
    expect(sample(text, 'graphql_envelop_request_duration_count', ['operationName="Tasks"'])).toBe(2);
  });

  it('counts errors per operation and phase', async () => {
    await api().graphql('mutation BadCreate { createTask(userId: "", input: { title: "x" }) { id } }');
    const { text } = await scrape();
    expect(sample(text, 'graphql_envelop_error_result', ['operationName="BadCreate"', 'phase="execute"'])).toBe(1);
  });

  it('records HTTP durations by status', async () => {
    await createTask(api(), uniqueUserId(), { title: 'measured' });
    const { text } = await scrape();
    expect(sample(text, 'graphql_yoga_http_duration_count', ['operationName="CreateTask"', 'statusCode="200"'])).toBeGreaterThanOrEqual(1);
  });

  it.runIf(testDatabaseKind === 'postgres')('reports the PostgreSQL pool: open, idle and waiting connections', async () => {
    await api().graphql(tasksQuery, { userId: uniqueUserId(), first: 1 });
    const { text } = await scrape();
    expect(sample(text, 'taskgraph_db_pool_connections', ['state="total"'])).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'taskgraph_db_pool_connections', ['state="idle"'])).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'taskgraph_db_pool_connections', ['state="waiting"'])).toBe(0);
  });

  it('is not served when metrics are switched off', async () => {
    const plain = await startTestApi({ metrics: false });
    try {
      const response = await plain.fetch('/metrics');
      expect(response.status).toBe(404);
    } finally {
      await plain.dispose();
    }
  });
});
