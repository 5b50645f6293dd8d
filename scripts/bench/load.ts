import autocannon from 'autocannon';
import type { Scenario } from './scenarios.js';

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors, timeouts, non-2xx answers and 200s that carry GraphQL errors. */
  errors: number;
  firstError?: string;
}

/** Drives one scenario with autocannon: fixed connections and duration, a fresh random body for every request. */
export async function drive(url: string, scenario: Scenario, options: LoadOptions): Promise<LoadResult> {
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const result = await autocannon({
    url: `${url}/graphql`,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(scenario.next()) }),
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"errors"')) return;
          if (status === 200) graphqlErrors += 1;
          firstError ??= `${status} ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx + graphqlErrors,
    firstError,
  };
}
