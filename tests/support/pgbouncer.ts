import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../../scripts/bench/processes.js';

// Debian installs it under /usr/sbin, which an ordinary user's PATH may lack.
const searchPath = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];

/** The pgbouncer executable, or undefined when it is not installed. */
export function findPgbouncer(): string | undefined {
  for (const dir of searchPath) {
    if (!dir) continue;
    const candidate = join(dir, 'pgbouncer');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export interface Pgbouncer {
  port: number;
  /** `url` rewritten to reach its database through this PgBouncer (see pgbouncerUrl). */
  pooledUrl(url: string): string;
  stop(): Promise<void>;
}

export interface PgbouncerOptions {
  /** The PostgreSQL server every database name is forwarded to, with the user and password PgBouncer logs in as. */
  server: string;
  /** Server connections per database and user (PgBouncer's default_pool_size). */
  poolSize?: number;
}

/**
 * A stock PgBouncer in transaction mode, Neon's pooled-endpoint setting, on a free loopback port. PgBouncer refuses to
 * run as root: as root it runs as the `postgres` user, from a folder that user owns.
 */
export async function startPgbouncer({ server, poolSize = 20 }: PgbouncerOptions): Promise<Pgbouncer> {
  const executable = findPgbouncer();
  if (!executable) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer)');
  const target = new URL(server);
  const user = decodeURIComponent(target.username) || 'postgres';
  const password = decodeURIComponent(target.password);
  const dir = await mkdtemp(join(tmpdir(), 'taskgraph-pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  await writeFile(join(dir, 'users.txt'), `"${user}" "${password}"\n`);
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 1000',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })));
    for (const file of [dir, ini, join(dir, 'users.txt')]) await chown(file, uid ?? 0, gid ?? 0);
  }
  const child = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', executable, ini], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(executable, [ini], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  // Only the tail: PgBouncer logs every connection.
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    pooledUrl: (url) => pgbouncerUrl(url, port),
    async stop() {
      // The pid in PgBouncer's own pid file: under runuser, the child process is runuser, not PgBouncer.
      const pid = Number(await readFile(join(dir, 'pgbouncer.pid'), 'utf8').catch(() => String(child.pid)));
      if (child.exitCode === null) process.kill(pid, 'SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `url` (a PostgreSQL URL) rewritten to reach its database through the PgBouncer on `port`, marked `pgbouncer=true`. */
export function pgbouncerUrl(url: string, port: number): string {
  const pooled = new URL(url);
  pooled.hostname = '127.0.0.1';
  pooled.port = String(port);
  pooled.searchParams.set('pgbouncer', 'true');
  return pooled.toString();
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}: ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pgbouncer did not listen on 127.0.0.1:${port} within 15 s: ${output()}`);
}
