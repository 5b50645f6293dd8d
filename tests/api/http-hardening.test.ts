import { describe, expect, it } from 'vitest';
import { readGraphQLResponse, startTestApi, type TestApi, uniqueUserId, useTestApi } from '../support/api.js';
import { createTaskMutation, expectErrorCode } from '../support/operations.js';

const api = useTestApi({ countQueries: true });

async function withApi(env: Record<string, string>, work: (api: TestApi) => Promise<void>) {
  const configured = await startTestApi({ env });
  try {
    await work(configured);
  } finally {
    await configured.dispose();
  }
}

const postJson = (target: TestApi, body: unknown, headers: Record<string, string> = {}) =>
  target.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('request body size (MAX_BODY_BYTES, default 262144)', () => {
  const oversized = { query: '{ __typename }', variables: { padding: 'x'.repeat(300_000) } };

  it('answers 413 PAYLOAD_TOO_LARGE to a body over the limit', async () => {
    const response = await postJson(api(), oversized);
    expect(response.status).toBe(413);
    expectErrorCode(await readGraphQLResponse(response), 'PAYLOAD_TOO_LARGE');
  });

  it('answers 413 to a declared Content-Length over the limit without reading the body', async () => {
    const response = await api().fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '300000' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(413);
  });

  it('accepts a body just under the limit', async () => {
    const response = await postJson(api(), { query: '{ __typename }', variables: { padding: 'x'.repeat(250_000) } });
    expect(response.status).toBe(200);
  });

  it('follows MAX_BODY_BYTES', async () => {
    await withApi({ MAX_BODY_BYTES: '2048' }, async (small) => {
      const response = await postJson(small, { query: '{ __typename }', variables: { padding: 'x'.repeat(3000) } });
      expect(response.status).toBe(413);
    });
  });
});

describe('batched requests (BATCH_LIMIT, default 0 = off)', () => {
  const batch = (size: number) => Array.from({ length: size }, () => ({ query: '{ __typename }' }));

  it('are refused by default', async () => {
    const response = await postJson(api(), batch(2));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('run when BATCH_LIMIT allows them', async () => {
    await withApi({ BATCH_LIMIT: '3' }, async (batching) => {
      const response = await postJson(batching, batch(3));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(Array.from({ length: 3 }, () => ({ data: { __typename: 'Query' } })));
    });
  });

  it('are refused above BATCH_LIMIT with 413', async () => {
    await withApi({ BATCH_LIMIT: '3' }, async (batching) => {
      const response = await postJson(batching, batch(4));
      expect(response.status).toBe(413);
    });
  });
});

describe('introspection (INTROSPECTION, default true)', () => {
  const introspection = { query: '{ __schema { queryType { name } } }' };

  it('is answered by default', async () => {
    const response = await postJson(api(), introspection);
    expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('is refused when INTROSPECTION=false, while __typename and normal queries still work', async () => {
    await withApi({ INTROSPECTION: 'false' }, async (closed) => {
      const refused = await postJson(closed, introspection);
      expectErrorCode(await readGraphQLResponse(refused), 'GRAPHQL_VALIDATION_FAILED');
      const typeQuery = await postJson(closed, { query: '{ __type(name: "Task") { name } }' });
      expectErrorCode(await readGraphQLResponse(typeQuery), 'GRAPHQL_VALIDATION_FAILED');
      const normal = await postJson(closed, { query: '{ __typename user(id: "nobody") { id } }' });
      expect(await normal.json()).toEqual({ data: { __typename: 'Query', user: null } });
    });
  });
});

describe('CSRF prevention', () => {
  const formMutation = (contentType: string, body: string, headers: Record<string, string> = {}) =>
    api().fetch('/graphql', { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const mutationText = () =>
    `mutation { createTask(userId: "${uniqueUserId('csrf')}", input: { title: "forged" }) { id } }`;

  it('refuses a form-encoded POST (what an HTML form sends) with 403 CSRF_HEADER_MISSING and no SQL', async () => {
    const { result: response, statements } = await api().statementsDuring(() =>
      formMutation('application/x-www-form-urlencoded', new URLSearchParams({ query: mutationText() }).toString()),
    );
    expect(response.status).toBe(403);
    expectErrorCode(await readGraphQLResponse(response), 'CSRF_HEADER_MISSING');
    expect(statements).toEqual([]);
  });

  it('refuses a text/plain POST with 403', async () => {
    const response = await formMutation('text/plain', JSON.stringify({ query: mutationText() }));
    expect(response.status).toBe(403);
  });

  it('refuses a multipart/form-data POST with 403', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: mutationText() }));
    const response = await api().fetch('/graphql', { method: 'POST', body: form });
    expect(response.status).toBe(403);
  });

  it('lets JSON clients (and GraphiQL, which posts JSON) through without a header', async () => {
    const response = await api().graphql(createTaskMutation, { userId: uniqueUserId(), input: { title: 'json' } });
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
  });

  it('lets a simple POST through when it carries x-graphql-yoga-csrf', async () => {
    const response = await formMutation('text/plain', JSON.stringify({ query: '{ __typename }' }), {
      'x-graphql-yoga-csrf': '1',
    });
    expect(response.status).not.toBe(403);
  });

  it('still answers plain GET queries', async () => {
    const response = await api().fetch(`/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
