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

/** Each operation series' name with its label names, in the order they are written, e.g. `graphql_envelop_request{operationName,operationType}`. */
function seriesShapes(text: string): string[] {
  const shapes = text
    .split('\n')
    .filter((line) => line.startsWith('graphql_'))
    .map((line) => {
      const name = line.slice(0, line.indexOf('{'));
      const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
      return `${name}{${[...labels.matchAll(/(\w+)="/g)].map((match) => match[1]).join(',')}}`;
    });
  return [...new Set(shapes)].sort();
}

const defaultBuckets = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

describe('GET /metrics', () => {
  it('keeps the series, labels and buckets that dashboards scrape', async () => {
    const userId = uniqueUserId();
    await api().graphql('query ShapeTasks($userId: ID!) { tasks(userId: $userId) { totalCount } }', { userId });
    await createTask(api(), userId, { title: 'scraped' });
    await api().graphql('mutation ShapeBadCreate { createTask(userId: "", input: { title: "x" }) { id } }');
    await api().graphql('query Broken { tasks(');
    await api().graphql('query Invalid { nope }');
    const { text } = await scrape();

    expect(text.split('\n').filter((line) => /^# (HELP|TYPE) graphql_/.test(line))).toEqual([
      '# HELP graphql_yoga_http_duration Time spent on HTTP connection',
      '# TYPE graphql_yoga_http_duration histogram',
      '# HELP graphql_envelop_request_duration Time spent on running the GraphQL operation from parse to execute',
      '# TYPE graphql_envelop_request_duration histogram',
      '# HELP graphql_envelop_error_result Counts the amount of errors reported from all phases',
      '# TYPE graphql_envelop_error_result counter',
      '# HELP graphql_envelop_request Counts the amount of GraphQL requests executed through Envelop',
      '# TYPE graphql_envelop_request counter',
    ]);
    expect(seriesShapes(text)).toEqual([
      'graphql_envelop_error_result{operationName,operationType,phase,path}',
      'graphql_envelop_error_result{operationName,operationType,phase}',
      'graphql_envelop_request_duration_bucket{le,operationName,operationType}',
      'graphql_envelop_request_duration_count{operationName,operationType}',
      'graphql_envelop_request_duration_sum{operationName,operationType}',
      'graphql_envelop_request{operationName,operationType}',
      'graphql_yoga_http_duration_bucket{le,method,statusCode,operationType,operationName}',
      'graphql_yoga_http_duration_count{method,statusCode,operationType,operationName}',
      'graphql_yoga_http_duration_sum{method,statusCode,operationType,operationName}',
    ]);
    for (const histogram of ['graphql_yoga_http_duration', 'graphql_envelop_request_duration']) {
      const buckets = text
        .split('\n')
        .filter((line) => line.startsWith(`${histogram}_bucket{`))
        .map((line) => /le="([^"]+)"/.exec(line)?.[1]);
      expect([...new Set(buckets)]).toEqual(defaultBuckets);
    }
    expect(text).toContain('graphql_envelop_error_result{operationName="ShapeBadCreate",operationType="mutation",phase="execute",path="createTask"}');
    expect(text).toContain('graphql_envelop_error_result{operationName="undefined",operationType="undefined",phase="parse"}');
    expect(text).toContain('graphql_envelop_error_result{operationName="Invalid",operationType="query",phase="validate"}');
    expect(text).toContain('graphql_yoga_http_duration_count{method="POST",statusCode="200",operationType="mutation",operationName="CreateTask"}');
  });

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
