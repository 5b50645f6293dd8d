import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { testGraphqlUrl, useTestApi } from '../support/api.js';

const api = useTestApi();

const fetchThroughYoga = (input: string, init?: RequestInit) => api().yoga.fetch(input, init ?? {});

describe('GraphQL over HTTP audits (graphql-http)', () => {
  for (const audit of serverAudits({ url: testGraphqlUrl, fetchFn: fetchThroughYoga })) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      expect(result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`).toBe('ok');
    });
  }
});
