import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
    expect(() => loadConfig({ AUTH_JWKS_FILE: '/nonexistent/jwks.json' })).toThrow(
      /AUTH_JWKS_FILE="\/nonexistent\/jwks.json": not a readable JWKS/,
    );
  });

  it('turns rate limiting on with RATE_LIMIT_MAX', () => {
    expect(loadConfig({ RATE_LIMIT_MAX: '100', RATE_LIMIT_WINDOW_MS: '1000' }).rateLimit).toEqual({ max: 100, windowMs: 1000 });
  });
});

describe('configuration of events and metrics', () => {
  it('keeps events in-process and serves metrics by default', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: undefined, metrics: true });
  });

  it('takes a redis:// or rediss:// REDIS_URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({ REDIS_URL: 'rediss://user:secret@cache.example:6380/0' }).redisUrl).toMatch(/^rediss:/);
  });

  it('rejects a REDIS_URL of another kind, naming the variable', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL="localhost:6379": must be a redis:\/\/ or rediss:\/\//);
  });

  it('switches metrics off with METRICS=false and rejects other words', () => {
    expect(loadConfig({ METRICS: 'false' }).metrics).toBe(false);
    expect(() => loadConfig({ METRICS: 'off' })).toThrow(/METRICS="off": must be true or false/);
  });
});

describe('.env.example', () => {
  it('shows the defaults: setting every value it shows changes nothing', async () => {
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const shown = Object.fromEntries([...example.matchAll(/^([A-Z_]+)=(.*)$/gm)].map(([, name, value]) => [name, value]));
    expect(Object.keys(shown).length).toBeGreaterThan(20);
    expect(loadConfig(shown)).toEqual(loadConfig({}));
  });
});
