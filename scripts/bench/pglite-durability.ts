import { closeSync, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * Single-row commits per second on an embedded PGlite folder, with and without relaxedDurability and with an
 * explicit fsync of the WAL after every commit (what power-loss durability would cost).
 * Usage: npx tsx scripts/bench/pglite-durability.ts [writes=1000]
 */
const writes = Number(process.argv[2] ?? 1000);
async function run(label: string, options: { relaxedDurability?: boolean }, afterWrite?: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'pglite-bench-'));
  const db = await PGlite.create(dir, options);
  await db.exec('CREATE TABLE t (id serial primary key, title text)');
  const started = performance.now();
  for (let i = 0; i < writes; i += 1) {
    await db.query('INSERT INTO t (title) VALUES ($1)', [`task ${i}`]);
    afterWrite?.(dir);
  }
  const ms = performance.now() - started;
  console.log(`${label}: ${writes} single-row commits in ${Math.round(ms)} ms = ${Math.round((writes / ms) * 1000)} writes/s`);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
const fsyncWal = (dir: string) => {
  const wal = join(dir, 'pg_wal');
  for (const name of readdirSync(wal)) {
    if (!/^[0-9A-F]{24}$/.test(name)) continue;
    const fd = openSync(join(wal, name), 'r+');
    fsyncSync(fd);
    closeSync(fd);
  }
};
await run('warm-up (discard)', {});
await run('default (relaxedDurability unset)', {});
await run('relaxedDurability: false', { relaxedDurability: false });
await run('relaxedDurability: true', { relaxedDurability: true });
await run('default + fsync of pg_wal after every commit', {}, fsyncWal);
