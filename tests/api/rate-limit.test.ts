import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { readGraphQLResponse, type TestApi, useTestApi } from '../support/api.js';
import { useRealPort } from '../support/http-server.js';
import { expectErrorCode } from '../support/operations.js';

const secret = 'rate-limit-test-secret-long-enough-for-hs256';

const redisUrl = process.env.TEST_REDIS_URL;

const typename = async (api: TestApi, headers: Record<string, string>): Promise<Response> =>
  api.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ __typename }' }),
  });

async function statuses(count: number, send: () => Response | Promise<Response>) {
  const result: number[] = [];
  for (let index = 0; index < count; index += 1) result.push((await send()).status);
  return result;
}

describe('rate limiting off (default)', () => {
  const api = useTestApi({ env: {} });

  it('never answers 429', async () => {
    expect(new Set(await statuses(30, () => typename(api(), {})))).toEqual(new Set([200]));
  });
});

describe('per client address (RATE_LIMIT_MAX=3, TRUST_PROXY=true)', () => {
  const api = useTestApi({ env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '600000', TRUST_PROXY: 'true' } });

  it('answers 429 RATE_LIMITED with Retry-After once an address used its requests', async () => {
    const from = { 'x-forwarded-for': '203.0.113.7' };
    expect(await statuses(3, () => typename(api(), from))).toEqual([200, 200, 200]);
    const refused = await typename(api(), from);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await readGraphQLResponse(refused);
    expectErrorCode(body, 'RATE_LIMITED');
    expect(body.errors?.[0]?.message).toMatch(/at most 3 per 600000 ms/);
  });

  it('counts each address separately (the last X-Forwarded-For entry, the one the proxy added)', async () => {
    expect(await statuses(4, () => typename(api(), { 'x-forwarded-for': '198.51.100.1' }))).toEqual([200, 200, 200, 429]);
    expect((await typename(api(), { 'x-forwarded-for': '198.51.100.1, 198.51.100.2' })).status).toBe(200);
  });
});

describe('per token subject (with AUTH_JWT_SECRET)', () => {
  const api = useTestApi({ env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '600000', TRUST_PROXY: 'true', AUTH_JWT_SECRET: secret } });

  it('answers 429 to a subject that used its requests, whatever address it comes from', async () => {
    const token = await new SignJWT({ sub: 'busy-user' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    let address = 0;
    const send = () => {
      address += 1;
      return typename(api(), { authorization: `Bearer ${token}`, 'x-forwarded-for': `192.0.2.${address}` });
    };
    expect(await statuses(4, send)).toEqual([200, 200, 200, 429]);
  });
});

describe('on a real port without TRUST_PROXY', () => {
  const api = useTestApi({ env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '600000' } });
  const serverUrl = useRealPort(api);

  it('counts by socket address, and a forged X-Forwarded-For does not reset the count', async () => {
    let forged = 0;
    const send = () => {
      forged += 1;
      return fetch(`${serverUrl()}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.${forged}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    };
    expect(await statuses(3, send)).toEqual([200, 200, 429]);
  });
});

describe('fixed windows (RATE_LIMIT_WINDOW_MS=1000)', () => {
  const api = useTestApi({ env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '1000', TRUST_PROXY: 'true' } });

  it('start counting again once the window is over', async () => {
    const from = { 'x-forwarded-for': '203.0.113.99' };
    expect(await statuses(3, () => typename(api(), from))).toEqual([200, 200, 429]);
    await expect.poll(async () => (await typename(api(), from)).status, { timeout: 5000, interval: 200 }).toBe(200);
  });
});

/** An address no earlier run used: Redis keeps counts between test runs for the window. */
const freshAddress = () => `2001:db8::${Math.floor(Math.random() * 0xffff).toString(16)}:${Date.now().toString(16).slice(-4)}`;

describe.runIf(redisUrl)('shared through Redis by two instances (REDIS_URL, RATE_LIMIT_MAX=4)', () => {
  const env = { RATE_LIMIT_MAX: '4', RATE_LIMIT_WINDOW_MS: '600000', TRUST_PROXY: 'true' };
  const first = useTestApi({ env, redisUrl });
  const second = useTestApi({ env, redisUrl });

  it('a client gets 4 requests in total from both instances, not 4 from each', async () => {
    const from = { 'x-forwarded-for': freshAddress() };
    let sent = 0;
    const alternate = () => typename(sent++ % 2 === 0 ? first() : second(), from);
    expect(await statuses(8, alternate)).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
  });

  it('a refusal from the other instance has the same code and Retry-After', async () => {
    const from = { 'x-forwarded-for': freshAddress() };
    expect(await statuses(4, () => typename(first(), from))).toEqual([200, 200, 200, 200]);
    const refused = await typename(second(), from);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(590);
    const body = await readGraphQLResponse(refused);
    expectErrorCode(body, 'RATE_LIMITED');
    expect(body.errors?.[0]?.message).toMatch(/at most 4 per 600000 ms/);
  });
});
