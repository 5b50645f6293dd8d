import { type JWTPayload, SignJWT } from 'jose';

export const testSecret = 'test-secret-that-is-long-enough-for-hs256!';

/** An HS256 token; `expiresAt` is a jose time span ('5m', '-1m') or seconds since the epoch. */
export const hs256 = (key: string, claims: JWTPayload, expiresAt: string | number = '5m') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresAt).sign(new TextEncoder().encode(key));
