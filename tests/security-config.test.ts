import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createTokenVerifier } from '../src/plugins/auth.js';

describe('security configuration', () => {
  it('defaults: limits on, batching, rate limits and auth off, introspection on', () => {
    const config = loadConfig({});
    expect(config.limits).toEqual({ depth: 10, aliases: 15, tokens: 1000, directives: 50, cost: 5000, bodyBytes: 262_144, batch: 0 });
    expect(config).toMatchObject({ introspection: true, graphiql: true, rateLimit: null, trustProxy: false, auth: null });
  });

  it('names the variable of a bad limit', () => {
    expect(() => loadConfig({ MAX_COST: 'lots' })).toThrow(/MAX_COST="lots": must be a whole number/);
  });

  it('refuses a short AUTH_JWT_SECRET without printing it', () => {
    let message = '';
    try {
      loadConfig({ AUTH_JWT_SECRET: 'hunter2' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/AUTH_JWT_SECRET=\(hidden\): must be at least 32 characters/);
    expect(message).not.toContain('hunter2');
  });

  it('refuses two key sources at once', () => {
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_JWKS_FILE: 'jwks.json' })).toThrow(/set only one/);
  });

  it('refuses AUTH_AUDIENCE without a key source', () => {
    expect(() => loadConfig({ AUTH_AUDIENCE: 'taskgraph' })).toThrow(ConfigError);
  });

  it('refuses a JWKS file that cannot be read, at start', () => {
    expect(() => createTokenVerifier({ key: { kind: 'jwksFile', path: '/nonexistent/jwks.json' } }, pino({ level: 'silent' }))).toThrow(
      /AUTH_JWKS_FILE="\/nonexistent\/jwks.json": not a readable JWKS/,
    );
  });

  it('turns rate limiting on with RATE_LIMIT_MAX', () => {
    expect(loadConfig({ RATE_LIMIT_MAX: '100', RATE_LIMIT_WINDOW_MS: '1000' }).rateLimit).toEqual({ max: 100, windowMs: 1000 });
  });

  it('refuses a rate limit window that is not whole seconds (the shared Redis counters expire in seconds)', () => {
    expect(() => loadConfig({ RATE_LIMIT_WINDOW_MS: '1500' })).toThrow(/RATE_LIMIT_WINDOW_MS="1500": must be whole seconds/);
  });
});
