import { describe, expect, it } from 'vitest';
import { runToExit } from '../support/server-process.js';

describe('npm test without the optional services', () => {
  it('names what it skips and how to run it, in one line printed once', async () => {
    const { code, output } = await runToExit(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'tests/tooling/config.test.ts'], {});
    expect(code).toBe(0);
    const notices = output.split('\n').filter((line) => line.includes('[taskgraph]'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/skipped: PostgreSQL and PgBouncer runs \(set TEST_DATABASE_URL=.*Redis tests \(set TEST_REDIS_URL=/);
  }, 120_000);
});
