import { describe, expect, it } from 'vitest';
import { startTestApi, uniqueUserId, useTestApi } from '../support/api.js';
import { createTaskMutation, expectErrorCode } from '../support/operations.js';

const api = useTestApi();

describe('the root path', () => {
  it('sends a browser to /graphql', async () => {
    const response = await api().fetch('/', { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
  });

  it('points any other client at /graphql', async () => {
    const response = await api().fetch('/');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ graphql: '/graphql', health: '/health', ready: '/ready' });
  });
});

describe('health and readiness', () => {
  it('GET /health answers 200', async () => {
    const response = await api().fetch('/health');
    expect(response.status).toBe(200);
  });

  it('GET /ready answers 200 while the database is reachable', async () => {
    const response = await api().fetch('/ready');
    expect(response.status).toBe(200);
  });

  it('GET /ready answers 503 once the database is gone', async () => {
    const broken = await startTestApi();
    await broken.db.close();
    try {
      const response = await broken.fetch('/ready');
      expect(response.status).toBe(503);
    } finally {
      await broken.dispose();
    }
  });
});

describe('unexpected errors', () => {
  it('reach the client masked as INTERNAL_SERVER_ERROR with no internals', async () => {
    const broken = await startTestApi();
    await broken.db.close();
    try {
      const response = await broken.graphql(createTaskMutation, { userId: uniqueUserId(), input: { title: 't' } });
      expectErrorCode(response, 'INTERNAL_SERVER_ERROR');
      expect(response.errors?.[0]?.message).toBe('Unexpected error.');
      expect(JSON.stringify(response.errors)).not.toMatch(/prisma|sql|stack|at \w+ \(/i);
    } finally {
      await broken.dispose();
    }
  });

  it('are logged for operators with the request id and the stack', async () => {
    const broken = await startTestApi();
    await broken.db.close();
    try {
      const response = await broken.graphql(
        createTaskMutation,
        { userId: uniqueUserId(), input: { title: 't' } },
        { 'x-request-id': 'req-failing-1' },
      );
      expect(response.headers.get('x-request-id')).toBe('req-failing-1');
      const entry = broken.logs.find((log) => log.msg === 'unexpected error');
      expect(entry).toMatchObject({ requestId: 'req-failing-1', level: 50 });
      expect((entry?.err as { stack?: string } | undefined)?.stack).toMatch(/\n\s+at /);
    } finally {
      await broken.dispose();
    }
  });
});

describe('request ids', () => {
  it('are generated and returned when the client sends none', async () => {
    const response = await api().fetch('/graphql?query={__typename}');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('are logged with the request', async () => {
    await api().graphql('{ __typename }', undefined, { 'x-request-id': 'trace-abc' });
    expect(api().logs).toContainEqual(expect.objectContaining({ requestId: 'trace-abc', msg: 'request completed' }));
  });
});

describe('GraphiQL', () => {
  const openGraphiQL = () => api().fetch('/graphql', { headers: { accept: 'text/html' } });

  it('is served to browsers on GET /graphql', async () => {
    const response = await openGraphiQL();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('loads no script or stylesheet from another host', async () => {
    const html = await (await openGraphiQL()).text();
    expect(html).toContain('taskgraph');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:\/\//i);
  });
});
