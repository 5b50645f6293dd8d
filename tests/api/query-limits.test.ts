import { describe, expect, it } from 'vitest';
import { readGraphQLResponse, startTestApi, uniqueUserId, useTestApi } from '../support/api.js';
import { createTask, errorCodes, expectNoErrors } from '../support/operations.js';

const api = useTestApi({ countQueries: true });

const run = (query: string, variables?: Record<string, unknown>) => api().graphqlWithStatements(query, variables);

const nestedPages = (levels: number, first: number | string) => {
  let selection = 'id title';
  for (let level = 1; level < levels; level += 1) {
    selection = `id user { tasks(first: ${first}) { edges { node { ${selection} } } } }`;
  }
  return `query Nested($userId: ID!${typeof first === 'string' ? ', $first: Int' : ''}) {
    tasks(userId: $userId, first: ${first}) { edges { node { ${selection} } } }
  }`;
};

describe('cost budget (MAX_COST, default 5000)', () => {
  it('refuses first: 100 nested three levels deep with MAX_COST_EXCEEDED and no SQL', async () => {
    const { response, statements } = await run(nestedPages(3, 100), { userId: uniqueUserId() });
    expect(errorCodes(response)).toContain('MAX_COST_EXCEEDED');
    expect(response.data ?? null).toBeNull();
    expect(response.status).toBeLessThan(500);
    expect(statements).toEqual([]);
  });

  it('names the limit and the cost found in the message', async () => {
    const { response } = await run(nestedPages(2, 100), { userId: uniqueUserId() });
    expect(response.errors?.[0]?.message).toMatch(/cost limit of 5000 exceeded, found \d+/);
  });

  it('counts page sizes given as variables, per request', async () => {
    const query = nestedPages(2, '$first');
    const small = await run(query, { userId: uniqueUserId(), first: 2 });
    expectNoErrors(small.response);
    const large = await run(query, { userId: uniqueUserId(), first: 100 });
    expect(errorCodes(large.response)).toContain('MAX_COST_EXCEEDED');
    expect(large.statements).toEqual([]);
  });

  it("prices a bulk write's tasks once per id it names", async () => {
    const query = `mutation Mark($userId: ID!, $ids: [ID!]!) {
      setTasksCompleted(userId: $userId, ids: $ids, completed: true) {
        count tasks { id user { tasks(first: 100) { edges { node { id } } } } }
      }
    }`;
    const userId = uniqueUserId();
    const few = await run(query, { userId, ids: ['01936d2e-6b8a-7c3e-8f00-000000000000'] });
    expect(errorCodes(few.response)).toEqual(['NOT_FOUND']);
    const many = await run(query, { userId, ids: Array.from({ length: 100 }, () => '01936d2e-6b8a-7c3e-8f00-000000000000') });
    expect(errorCodes(many.response)).toEqual(['MAX_COST_EXCEEDED']);
    expect(many.statements).toEqual([]);
  });

  it('runs a query with small pages after the same query was refused for large ones', async () => {
    const query = `query SmallAfterLarge($userId: ID!, $first: Int) {
      tasks(userId: $userId, first: $first) { edges { node { id user { tasks(first: $first) { edges { node { id } } } } } } }
    }`;
    const codes = [];
    for (const first of [100, 2, 100, 2]) codes.push(errorCodes(await api().graphql(query, { userId: uniqueUserId(), first })));
    expect(codes).toEqual([['MAX_COST_EXCEEDED'], [], ['MAX_COST_EXCEEDED'], []]);
  });

  it('prices a page size left out at its variable default, and one sent as null at the page default', async () => {
    const query = `query Defaults($userId: ID!, $first: Int = 100) {
      tasks(userId: $userId, first: $first) { edges { node { id user { tasks(first: $first) { edges { node { id } } } } } } }
    }`;
    const codes = [];
    for (const variables of [{}, { first: null }, {}]) codes.push(errorCodes(await api().graphql(query, { userId: uniqueUserId(), ...variables })));
    expect(codes).toEqual([['MAX_COST_EXCEEDED'], [], ['MAX_COST_EXCEEDED']]);
  });

  it('lets a full page of 100 tasks with all their fields through', async () => {
    const userId = uniqueUserId();
    await createTask(api(), userId, { title: 'one' });
    const { response } = await run(
      `query ($userId: ID!) { tasks(userId: $userId, first: 100) {
        totalCount edges { cursor node { id title description completed createdAt updatedAt user { id taskCount } } }
        pageInfo { hasNextPage endCursor } } }`,
      { userId },
    );
    expectNoErrors(response);
  });

  it('prices only the operation the request names', async () => {
    const cheap = 'query Cheap($userId: ID!) { tasks(userId: $userId, first: 1) { edges { node { id } } } }';
    const document = `${cheap}\n${nestedPages(2, 100).replace('query Nested', 'query Costly')}`;
    const send = async (operationName: string) => {
      const response = await api().fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: document, operationName, variables: { userId: uniqueUserId() } }),
      });
      return readGraphQLResponse(response);
    };
    expectNoErrors(await send('Cheap'));
    expect(errorCodes(await send('Costly'))).toContain('MAX_COST_EXCEEDED');
  });

  it('counts page sizes inside fragments', async () => {
    const { response, statements } = await run(
      `query ($userId: ID!) { tasks(userId: $userId, first: 100) { ...Page } }
       fragment Page on TaskConnection { edges { node { id user { tasks(first: 100) { edges { node { id user { tasks(first: 100) { totalCount } } } } } } } } }`,
      { userId: uniqueUserId() },
    );
    expect(errorCodes(response)).toContain('MAX_COST_EXCEEDED');
    expect(statements).toEqual([]);
  });

  it('follows MAX_COST', async () => {
    const strict = await startTestApi({ env: { MAX_COST: '50' } });
    try {
      const response = await strict.graphql('query ($userId: ID!) { tasks(userId: $userId, first: 100) { edges { node { id } } } }', {
        userId: uniqueUserId(),
      });
      expect(errorCodes(response)).toEqual(['MAX_COST_EXCEEDED']);
    } finally {
      await strict.dispose();
    }
  });
});

describe('document limits', () => {
  it('refuses a document deeper than MAX_DEPTH (default 10) with MAX_DEPTH_EXCEEDED and no SQL', async () => {
    const { response, statements } = await run(nestedPages(4, 1), { userId: uniqueUserId() });
    expect(errorCodes(response)).toContain('MAX_DEPTH_EXCEEDED');
    expect(response.errors?.find((error) => error.extensions?.code === 'MAX_DEPTH_EXCEEDED')?.message).toMatch(
      /depth limit of 10 exceeded/,
    );
    expect(statements).toEqual([]);
  });

  it('refuses more than MAX_ALIASES (default 15) aliases with MAX_ALIASES_EXCEEDED', async () => {
    const aliases = Array.from({ length: 16 }, (_, index) => `a${index}: user(id: "u") { id }`).join(' ');
    const { response, statements } = await run(`{ ${aliases} }`);
    expect(errorCodes(response)).toEqual(['MAX_ALIASES_EXCEEDED']);
    expect(statements).toEqual([]);
  });

  it('accepts 15 aliases', async () => {
    const aliases = Array.from({ length: 15 }, (_, index) => `a${index}: user(id: "u") { id }`).join(' ');
    expectNoErrors((await run(`{ ${aliases} }`)).response);
  });

  it('refuses more than MAX_DIRECTIVES (default 50) directives with MAX_DIRECTIVES_EXCEEDED', async () => {
    const fields = '__typename @include(if: true) @skip(if: false) '.repeat(26);
    const { response } = await run(`{ ${fields} }`);
    expect(errorCodes(response)).toEqual(['MAX_DIRECTIVES_EXCEEDED']);
  });

  it('refuses a document of more than MAX_TOKENS (default 1000) tokens with MAX_TOKENS_EXCEEDED', async () => {
    const { response, statements } = await run(`{ ${'__typename '.repeat(1001)} }`);
    expect(errorCodes(response)).toEqual(['MAX_TOKENS_EXCEEDED']);
    expect(response.status).toBe(400);
    expect(statements).toEqual([]);
  });

  it('follow their variables', async () => {
    const strict = await startTestApi({ env: { MAX_DEPTH: '2', MAX_ALIASES: '1', MAX_TOKENS: '40', MAX_DIRECTIVES: '1' } });
    try {
      expect(errorCodes(await strict.graphql('{ user(id: "a") { tasks { totalCount } } }'))).toContain('MAX_DEPTH_EXCEEDED');
      expect(errorCodes(await strict.graphql('{ a: user(id: "a") { id } b: user(id: "b") { id } }'))).toEqual([
        'MAX_ALIASES_EXCEEDED',
      ]);
      expect(errorCodes(await strict.graphql(`{ ${'__typename '.repeat(41)} }`))).toEqual(['MAX_TOKENS_EXCEEDED']);
      expect(errorCodes(await strict.graphql('{ __typename @skip(if: false) @include(if: true) }'))).toEqual([
        'MAX_DIRECTIVES_EXCEEDED',
      ]);
    } finally {
      await strict.dispose();
    }
  });
});
