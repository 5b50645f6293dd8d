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

  // Each typo is one a client could make while guessing: a field, an argument, an input field, an enum value, a type.
  const typos = `query Guess {
    tasks(userId: "nobody", filter: { serch: "x" }, orderBy: { field: CREATED_AT, direction: DSC }, frist: 1) { totalCont ...Page }
  }
  fragment Page on TaskEvnt { type }`;
  const suggestedNames = ['"search"', '"DESC"', '"first"', '"totalCount"', '"TaskEvent"'];
  const validationMessages = async (response: Response) =>
    ((await response.json()) as { errors: { message: string; extensions: { code: string } }[] }).errors;

  it('hides "Did you mean" suggestions, and the names they would reveal, when INTROSPECTION=false', async () => {
    await withApi({ INTROSPECTION: 'false' }, async (closed) => {
      const errors = await validationMessages(await postJson(closed, { query: typos }));
      expect(errors).toHaveLength(5);
      for (const error of errors) {
        expect(error.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(error.message).not.toMatch(/did you mean/i);
        for (const name of suggestedNames) expect(error.message).not.toContain(name);
      }
    });
  });

  it('keeps the suggestions by default, for developers exploring the schema', async () => {
    const errors = await validationMessages(await postJson(api(), { query: typos }));
    for (const error of errors) expect(error.message).toMatch(/ Did you mean .+\?$/);
    const messages = errors.map((error) => error.message).join('\n');
    for (const name of suggestedNames) expect(messages).toContain(name);
  });
});

describe('requests that are not well-formed', () => {
  const notJson = 'x'.repeat(200_000);

  it('answer a body that is not JSON with a short 400 BAD_REQUEST that does not repeat it', async () => {
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const response = await api().fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: notJson,
      });
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text.length).toBeLessThan(1024);
      expect(text).not.toContain('xxxxxxxx');
      expect(JSON.parse(text)).toEqual({
        errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
  });

  it('answer GET variables or extensions that are not JSON with 400 BAD_REQUEST, not a 500', async () => {
    for (const parameter of ['variables', 'extensions']) {
      const response = await api().fetch(
        `/graphql?query=${encodeURIComponent('{ __typename }')}&${parameter}=${encodeURIComponent(`{not json ${'y'.repeat(2000)}`)}`,
      );
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text).not.toContain('yyyyyyyy');
      expect(JSON.parse(text)).toEqual({
        errors: [{ message: 'The variables and extensions parameters must be valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
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
