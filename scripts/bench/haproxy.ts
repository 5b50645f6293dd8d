import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes.js';

/** Whether Debian's `haproxy` is installed (`.ci/run` installs it). */
export function haproxyInstalled(): boolean {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

export interface BalancedServer {
  name: string;
  port: number;
}

export interface Balancer {
  /** Where clients send requests. */
  url: string;
  pid: number;
  /** Each server's state as HAProxy's health checks see it: UP, DOWN, or a transition such as "UP 1/2". */
  states(): Promise<Record<string, string>>;
  /** Resolves with the time (performance.now()) at which HAProxy first reported the server in `state`. */
  waitFor(server: string, state: 'UP' | 'DOWN', timeoutMs?: number): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

/** Health checks as issue 15 measured them: /ready every 500 ms, out after one failure, back after two successes. */
export const checkIntervalMs = 500;

function configuration(frontendPort: number, statsPort: number, servers: BalancedServer[]): string {
  return `global
  maxconn 2000
  log stdout format raw local0 notice

defaults
  mode http
  log global
  option httplog
  option log-health-checks
  timeout connect 1s
  timeout client 60s
  timeout server 60s
  # How long one health check may take; a busy (but alive) instance must not be taken out by a slow answer.
  timeout check 5s
  # A request is retried (on another server) only when no connection could be made: nothing was sent, so even a
  # mutation is safe to retry. One that reached a server is never sent twice.
  retries 3
  retry-on conn-failure
  option redispatch 1

frontend api
  bind 127.0.0.1:${frontendPort}
  default_backend taskgraph

backend taskgraph
  balance roundrobin
  option httpchk GET /ready
  http-check expect status 200
${servers.map(({ name, port }) => `  server ${name} 127.0.0.1:${port} check inter ${checkIntervalMs} fall 1 rise 2`).join('\n')}

frontend stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
  stats refresh 1s
`;
}

/** Runs HAProxy in the foreground (`-db`) as the current user on loopback ports, in front of `servers`. */
export async function startHaproxy(servers: BalancedServer[]): Promise<Balancer> {
  const dir = await mkdtemp(join(tmpdir(), 'taskgraph-haproxy-'));
  const [frontendPort, statsPort] = [await freePort(), await freePort()];
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, configuration(frontendPort, statsPort, servers));
  const child: ChildProcess = spawn('haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const states = async (): Promise<Record<string, string>> => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
    const [header = '', ...rows] = csv.trim().split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const [name, proxy, status] = ['svname', 'pxname', 'status'].map((column) => columns.indexOf(column));
    const result: Record<string, string> = {};
    for (const row of rows) {
      const fields = row.split(',');
      if (fields[proxy ?? -1] === 'taskgraph') result[fields[name ?? -1] ?? ''] = fields[status ?? -1] ?? '';
    }
    return result;
  };

  const balancer: Balancer = {
    url: `http://127.0.0.1:${frontendPort}`,
    pid: child.pid ?? 0,
    states,
    async waitFor(server, state, timeoutMs = 30_000) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`);
        try {
          if ((await states())[server] === state) return performance.now();
        } catch {
          // the stats page is not up yet
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`HAProxy did not see ${server} ${state} within ${timeoutMs} ms: ${JSON.stringify(await states())}`);
    },
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(servers.map(({ name }) => balancer.waitFor(name, 'UP')));
  } catch (error) {
    await balancer.stop();
    throw error;
  }
  return balancer;
}
