import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

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
