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

  it('refuses a malformed connection URL without printing its password', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://app:s3cret-pw@db.example:3306/tasks' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL="mysql://app:***@db.example:3306/tasks"');
    expect(message).not.toContain('s3cret-pw');
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

  it('refuses a rate limit window that is not whole seconds (the shared Redis counters expire in seconds)', () => {
    expect(() => loadConfig({ RATE_LIMIT_WINDOW_MS: '1500' })).toThrow(/RATE_LIMIT_WINDOW_MS="1500": must be whole seconds/);
  });
});

describe('CORS configuration', () => {
  it('is off by default: no origin may read answers cross-origin, and no credentials', () => {
    expect(loadConfig({}).cors).toBeNull();
  });

  it('reads CORS_ORIGINS as a comma-separated list of exact origins, credentials off unless CORS_CREDENTIALS=true', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).cors).toEqual({
      origins: ['https://app.example.com', 'http://localhost:5173'],
      credentials: false,
    });
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com', CORS_CREDENTIALS: 'true' }).cors?.credentials).toBe(true);
  });

  it('accepts * (any origin) only on its own and without credentials', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).cors).toEqual({ origins: '*', credentials: false });
    expect(() => loadConfig({ CORS_ORIGINS: '*,https://app.example.com' })).toThrow(/CORS_ORIGINS=.*"\*" \(any origin\) must be the only entry/);
    expect(() => loadConfig({ CORS_ORIGINS: '*', CORS_CREDENTIALS: 'true' })).toThrow(/CORS_CREDENTIALS="true": cannot be combined with CORS_ORIGINS="\*"/);
  });

  it('names an entry that is not an origin, and the origin browsers would send', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com,app.example.com' })).toThrow(
      /CORS_ORIGINS="https:\/\/app.example.com,app.example.com": "app.example.com" is not an origin: expected scheme:\/\/host\[:port\]/,
    );
    for (const [entry, origin] of [
      ['https://app.example.com/', 'https://app.example.com'],
      ['https://App.Example.com', 'https://app.example.com'],
      ['https://app.example.com:443', 'https://app.example.com'],
      ['https://app.example.com/graphql', 'https://app.example.com'],
    ]) {
      expect(() => loadConfig({ CORS_ORIGINS: entry })).toThrow(`"${entry}" is not an origin as browsers send it`);
      expect(() => loadConfig({ CORS_ORIGINS: entry })).toThrow(`use "${origin}"`);
    }
    expect(() => loadConfig({ CORS_ORIGINS: 'ftp://files.example.com' })).toThrow(/not an http:\/\/ or https:\/\/ origin/);
    expect(() => loadConfig({ CORS_ORIGINS: ' , ' })).toThrow(/CORS_ORIGINS=" , ": must list at least one origin/);
  });

  it('refuses CORS_CREDENTIALS=true without CORS_ORIGINS', () => {
    expect(() => loadConfig({ CORS_CREDENTIALS: 'true' })).toThrow(/CORS_CREDENTIALS="true": needs CORS_ORIGINS/);
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

  it('caches responses only with RESPONSE_CACHE=true, with whole-number limits', () => {
    expect(loadConfig({}).responseCache).toBeNull();
    expect(loadConfig({ RESPONSE_CACHE: 'true' }).responseCache).toEqual({ ttlMs: 10_000, maxBytes: 33_554_432 });
    expect(loadConfig({ RESPONSE_CACHE: 'true', RESPONSE_CACHE_TTL_MS: '500', RESPONSE_CACHE_MAX_BYTES: '4096' }).responseCache).toEqual({
      ttlMs: 500,
      maxBytes: 4096,
    });
    expect(() => loadConfig({ RESPONSE_CACHE_TTL_MS: '0' })).toThrow(/RESPONSE_CACHE_TTL_MS="0": must be at least 1/);
    expect(() => loadConfig({ RESPONSE_CACHE_MAX_BYTES: 'many' })).toThrow(/RESPONSE_CACHE_MAX_BYTES="many": must be a whole number/);
  });

  it('refuses RESPONSE_CACHE_MAX_ENTRIES, naming the setting that replaced it', () => {
    expect(() => loadConfig({ RESPONSE_CACHE_MAX_ENTRIES: '1000' })).toThrow(/RESPONSE_CACHE_MAX_ENTRIES="1000": was replaced by RESPONSE_CACHE_MAX_BYTES/);
  });

  it('takes LOG_FORMAT=json or pretty and names the choices otherwise', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT="text": must be one of json, pretty/);
  });
});

describe('configuration of the WebSocket transport', () => {
  it('waits 5 s for connection_init and allows 20 operations per socket by default', () => {
    expect(loadConfig({}).websocket).toEqual({ initTimeoutMs: 5000, maxSubscriptions: 20 });
    expect(loadConfig({ WS_INIT_TIMEOUT_MS: '1000', WS_MAX_SUBSCRIPTIONS: '5' }).websocket).toEqual({ initTimeoutMs: 1000, maxSubscriptions: 5 });
  });

  it('rejects values out of range, naming the variable', () => {
    expect(() => loadConfig({ WS_MAX_SUBSCRIPTIONS: '0' })).toThrow(/WS_MAX_SUBSCRIPTIONS="0": must be at least 1/);
    expect(() => loadConfig({ WS_INIT_TIMEOUT_MS: 'soon' })).toThrow(/WS_INIT_TIMEOUT_MS="soon": must be a whole number from 100 to 60000/);
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
