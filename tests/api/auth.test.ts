import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import { createTaskMutation, expectErrorCode } from '../support/operations.js';

const secret = 'test-secret-that-is-long-enough-for-hs256!';
const hs256 = (key: string, claims: JWTPayload, expiresIn = '5m') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresIn).sign(new TextEncoder().encode(key));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('with AUTH_JWT_SECRET (HS256)', () => {
  const api = useTestApi({ countQueries: true, env: { AUTH_JWT_SECRET: secret } });
  const createFor = (userId: string, headers: Record<string, string>) =>
    api().graphqlWithStatements(createTaskMutation, { userId, input: { title: 'mine' } }, headers);

  it('answers 401 UNAUTHENTICATED to a request without a token, with no SQL', async () => {
    const { response, statements } = await createFor(uniqueUserId(), {});
    expect(response.status).toBe(401);
    expectErrorCode(response, 'UNAUTHENTICATED');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(statements).toEqual([]);
  });

  it('answers 401 to a token signed with another secret', async () => {
    const { response, statements } = await createFor('alice', bearer(await hs256(`${secret}-other`, { sub: 'alice' })));
    expect(response.status).toBe(401);
    expectErrorCode(response, 'UNAUTHENTICATED');
    expect(statements).toEqual([]);
  });

  it('answers 401 to an expired token', async () => {
    const expired = await hs256(secret, { sub: 'alice' }, '-1m');
    expect((await createFor('alice', bearer(expired))).response.status).toBe(401);
  });

  it('answers 401 to an unsigned (alg: none) token', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"alice"}').toString('base64url')}.x`;
    expect((await createFor('alice', bearer(unsigned))).response.status).toBe(401);
  });

  it('answers 401 to a token without a subject', async () => {
    expect((await createFor('alice', bearer(await hs256(secret, {})))).response.status).toBe(401);
  });

  it('runs operations for the user the token names', async () => {
    const userId = uniqueUserId();
    const { response } = await createFor(userId, bearer(await hs256(secret, { sub: userId })));
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
  });

  it('answers 403 FORBIDDEN to a userId that is not the token subject, with no SQL', async () => {
    const { response, statements } = await createFor('mallory-target', bearer(await hs256(secret, { sub: 'mallory' })));
    expect(response.status).toBe(403);
    expectErrorCode(response, 'FORBIDDEN');
    expect(statements).toEqual([]);
  });

  it('answers 403 to user(id:) and createUser(id:) of another user', async () => {
    const headers = bearer(await hs256(secret, { sub: 'mallory' }));
    expect((await api().graphql('{ user(id: "victim") { id } }', {}, headers)).status).toBe(403);
    const created = await api().graphqlWithStatements('mutation { createUser(id: "victim") { id } }', {}, headers);
    expect(created.response.status).toBe(403);
    expect(created.statements).toEqual([]);
  });

  it('answers 403 when any one root field acts for another user, even inside a fragment', async () => {
    const headers = bearer(await hs256(secret, { sub: 'mallory' }));
    const { response, statements } = await api().graphqlWithStatements(
      'query ($other: ID!) { own: user(id: "mallory") { id } ...Other } fragment Other on Query { user(id: $other) { id } }',
      { other: 'victim' },
      headers,
    );
    expect(response.status).toBe(403);
    expect(statements).toEqual([]);
  });
});

describe('with AUTH_ISSUER and AUTH_AUDIENCE', () => {
  const api = useTestApi({ env: { AUTH_JWT_SECRET: secret, AUTH_ISSUER: 'https://issuer.test/', AUTH_AUDIENCE: 'taskgraph' } });
  const query = (token: string) => api().graphql('{ user(id: "alice") { id } }', {}, bearer(token));

  it('accepts a token from that issuer for that audience', async () => {
    const token = await hs256(secret, { sub: 'alice', iss: 'https://issuer.test/', aud: 'taskgraph' });
    expect((await query(token)).status).toBe(200);
  });

  it('answers 401 to a token for another audience', async () => {
    const token = await hs256(secret, { sub: 'alice', iss: 'https://issuer.test/', aud: 'another-api' });
    expect((await query(token)).status).toBe(401);
  });

  it('answers 401 to a token from another issuer', async () => {
    const token = await hs256(secret, { sub: 'alice', iss: 'https://elsewhere.test/', aud: 'taskgraph' });
    expect((await query(token)).status).toBe(401);
  });
});

async function signingKey() {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: `key-${Math.random().toString(36).slice(2)}`, alg: 'ES256', use: 'sig' };
  const sign = (claims: JWTPayload) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
  return { jwks: { keys: [jwk] }, sign };
}

describe('with AUTH_JWKS_FILE', () => {
  let folder = '';
  let key: Awaited<ReturnType<typeof signingKey>>;
  beforeAll(async () => {
    key = await signingKey();
    folder = await mkdtemp(join(tmpdir(), 'taskgraph-jwks-'));
    await writeFile(join(folder, 'jwks.json'), JSON.stringify(key.jwks));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });
  const api = useTestApi(() => ({ env: { AUTH_JWKS_FILE: join(folder, 'jwks.json') } }));

  it('accepts a token signed with a key of the set', async () => {
    const response = await api().graphql('{ user(id: "alice") { id } }', {}, bearer(await key.sign({ sub: 'alice' })));
    expect(response.status).toBe(200);
  });

  it('answers 401 to a token signed with a key outside the set', async () => {
    const stranger = await signingKey();
    const response = await api().graphql('{ user(id: "alice") { id } }', {}, bearer(await stranger.sign({ sub: 'alice' })));
    expect(response.status).toBe(401);
  });

  it('answers 401 to an HS256 token (only asymmetric algorithms are accepted from a key set)', async () => {
    const response = await api().graphql('{ user(id: "alice") { id } }', {}, bearer(await hs256(secret, { sub: 'alice' })));
    expect(response.status).toBe(401);
  });
});

describe('with AUTH_JWKS_URL (served on 127.0.0.1)', () => {
  let server: Server | undefined;
  let url = '';
  let key: Awaited<ReturnType<typeof signingKey>>;
  beforeAll(async () => {
    key = await signingKey();
    const jwks = key.jwks;
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  const api = useTestApi(() => ({ env: { AUTH_JWKS_URL: url } }));

  it('accepts a token signed with a key the URL serves', async () => {
    const response = await api().graphql('{ user(id: "alice") { id } }', {}, bearer(await key.sign({ sub: 'alice' })));
    expect(response.status).toBe(200);
  });

  it('answers 403 to that token acting for another user', async () => {
    const response = await api().graphql('{ user(id: "bob") { id } }', {}, bearer(await key.sign({ sub: 'alice' })));
    expect(response.status).toBe(403);
  });
});
