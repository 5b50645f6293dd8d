import { describe, expect, it } from 'vitest';
import { type TestApi, useTestApi } from '../support/api.js';

const allowedOrigin = 'https://app.example.com';
const otherAllowedOrigin = 'http://localhost:5173';
const foreignOrigin = 'https://evil.example';

const corsHeadersOf = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

const listed = (response: Response, name: string) =>
  (response.headers.get(name) ?? '').split(',').map((entry) => entry.trim().toLowerCase());

const post = (api: TestApi, origin: string, headers: Record<string, string> = {}) =>
  api.fetch('/graphql', {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ __typename }' }),
  });

const get = (api: TestApi, origin: string) =>
  api.fetch(`/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin } });

const preflight = (api: TestApi, origin: string) =>
  api.fetch('/graphql', {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    },
  });

/** Opens a taskEvents stream over SSE and returns the response once its headers arrive, then closes the stream. */
async function subscribe(api: TestApi, origin: string): Promise<Response> {
  const response = await api.fetch('/graphql', {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { taskEvents(userId: "cors-user") { type } }' }),
  });
  const stream = response.body?.getReader();
  await stream?.read(); // Yoga's SSE stream starts on the first read, and only a started stream can be cancelled
  await stream?.cancel();
  return response;
}

describe('CORS_ORIGINS unset (default): same-origin only', () => {
  const api = useTestApi();

  it('sends no CORS headers to a cross-origin GET, POST, preflight or subscription, and still answers it', async () => {
    const answered = await post(api(), foreignOrigin);
    expect(corsHeadersOf(answered)).toEqual({});
    expect(await answered.json()).toEqual({ data: { __typename: 'Query' } });
    for (const response of [await get(api(), foreignOrigin), await preflight(api(), foreignOrigin), await subscribe(api(), foreignOrigin)]) {
      expect(corsHeadersOf(response)).toEqual({});
    }
  });
});

describe(`CORS_ORIGINS=${allowedOrigin},${otherAllowedOrigin}`, () => {
  const api = useTestApi({ env: { CORS_ORIGINS: `${allowedOrigin},${otherAllowedOrigin}` } });

  it('lets each allowed origin read a POST answer, without credentials, with x-request-id and Retry-After readable', async () => {
    const response = await post(api(), allowedOrigin);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(listed(response, 'access-control-expose-headers')).toEqual(expect.arrayContaining(['x-request-id', 'retry-after']));
    expect(listed(response, 'vary')).toContain('origin');
    expect((await post(api(), otherAllowedOrigin)).headers.get('access-control-allow-origin')).toBe(otherAllowedOrigin);
  });

  it('answers an allowed preflight with the methods, the headers the API reads and a 10-minute max-age', async () => {
    const response = await preflight(api(), allowedOrigin);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(listed(response, 'access-control-allow-methods')).toEqual(expect.arrayContaining(['get', 'post']));
    expect(listed(response, 'access-control-allow-headers')).toEqual(
      expect.arrayContaining(['content-type', 'authorization', 'x-request-id', 'x-graphql-yoga-csrf']),
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('treats GET and subscriptions (SSE) like POST', async () => {
    for (const response of [await get(api(), allowedOrigin), await subscribe(api(), allowedOrigin)]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(listed(response, 'access-control-expose-headers')).toEqual(expect.arrayContaining(['x-request-id', 'retry-after']));
    }
  });

  it('sends no CORS headers to any other origin (simple, preflight and subscription requests alike), only Vary: Origin', async () => {
    for (const origin of [foreignOrigin, `${allowedOrigin}.evil.example`, 'https://app.example.com:8443', 'null']) {
      for (const response of [
        await get(api(), origin),
        await post(api(), origin),
        await preflight(api(), origin),
        await subscribe(api(), origin),
      ]) {
        expect(corsHeadersOf(response), origin).toEqual({});
      }
    }
    // A shared cache must not hand an allowed origin's answer (or a refused one's) to the other.
    expect(listed(await get(api(), foreignOrigin), 'vary')).toContain('origin');
  });
});

describe('CORS_ORIGINS with rate limiting (RATE_LIMIT_MAX=2)', () => {
  const api = useTestApi({ env: { CORS_ORIGINS: allowedOrigin, RATE_LIMIT_MAX: '2' } });

  it('lets an allowed origin read a 429 and its Retry-After', async () => {
    await post(api(), allowedOrigin);
    await post(api(), allowedOrigin);
    const refused = await post(api(), allowedOrigin);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(listed(refused, 'access-control-expose-headers')).toContain('retry-after');
  });
});

describe('CORS_CREDENTIALS=true', () => {
  const api = useTestApi({ env: { CORS_ORIGINS: allowedOrigin, CORS_CREDENTIALS: 'true' } });

  it('allows credentials for the listed origin only', async () => {
    const allowed = await post(api(), allowedOrigin);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(corsHeadersOf(await post(api(), foreignOrigin))).toEqual({});
  });
});

describe('CORS_ORIGINS=*', () => {
  const api = useTestApi({ env: { CORS_ORIGINS: '*' } });

  it('lets any origin read answers, never with credentials', async () => {
    const response = await post(api(), foreignOrigin);
    expect(response.headers.get('access-control-allow-origin')).toBe(foreignOrigin);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(listed(response, 'vary')).toContain('origin');
  });
});
