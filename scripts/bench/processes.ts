import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The PostgreSQL server the bench and the start-up measurement create their databases on. */
export const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A port free on 127.0.0.1 right now (for processes that need a fixed port, like a balancer's servers). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const running = new Set<ChildProcess>();
let cleanupInstalled = false;

// Children must not outlive the bench, also when it fails or is interrupted. Installed with the first child, so
// that importing this module (for freePort, say) changes nothing in the importing process.
function killChildrenOnExit() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

export interface ServerProcess {
  pid: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** The executable a server runs on, and whether it is Bun (which runs TypeScript itself and takes no V8 flags). */
export interface ServerRuntime {
  kind: 'node' | 'bun';
  executable: string;
}

const machineNode: ServerRuntime = { kind: 'node', executable: process.execPath };

/**
 * Starts an entry point as a plain process: compiled JavaScript as is, TypeScript on Node with tsx as a loader
 * (not the tsx CLI, so the pid is the server itself). nodeOptions (V8 flags and the like) apply to Node only.
 */
export async function startServer(
  entry: string,
  port: number,
  env: Record<string, string>,
  nodeOptions: string[] = [],
  runtime: ServerRuntime = machineNode,
): Promise<ServerProcess> {
  const loader = runtime.kind === 'node' && entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const args = runtime.kind === 'node' ? [...nodeOptions, ...loader, entry] : [entry];
  const child = spawn(runtime.executable, args, {
    cwd: projectRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killChildrenOnExit();
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => running.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode} before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} was not ready after 60 s:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${entry} has no pid`);
  return {
    pid,
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killed = sleep(15_000).then(() => child.kill('SIGKILL'));
      await Promise.race([exited, killed]);
    },
  };
}

/** The process's resident set size now, in bytes. */
export async function residentBytes(pid: number): Promise<number> {
  return (await procStatus(pid)).VmRSS ?? 0;
}

async function procStatus(pid: number): Promise<Record<string, number>> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const values: Record<string, number> = {};
  for (const match of text.matchAll(/^(VmRSS|VmHWM):\s+(\d+) kB$/gm)) values[match[1] ?? ''] = Number(match[2]) * 1024;
  return values;
}

/** CPU time (user + system) the process has used, in milliseconds. */
export async function cpuTimeMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

/** Samples VmRSS every 100 ms; stop() returns the highest sample and the kernel's high-water mark. */
export function sampleMemory(pid: number) {
  let peak = 0;
  const sample = async () => {
    try {
      peak = Math.max(peak, (await procStatus(pid)).VmRSS ?? 0);
    } catch {
      // the process is gone; its last samples stand
    }
  };
  const timer = setInterval(() => void sample(), 100);
  void sample();
  return {
    async stop(): Promise<{ peakRss: number; highWaterMark: number }> {
      clearInterval(timer);
      await sample();
      const highWaterMark = (await procStatus(pid).catch(() => ({ VmHWM: 0 }))).VmHWM ?? 0;
      return { peakRss: peak, highWaterMark };
    },
  };
}

export async function postgresCpuMs(): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      total += await cpuTimeMs(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

export async function machineBusyMs(): Promise<{ busy: number; cores: number }> {
  const [line] = (await readFile('/proc/stat', 'utf8')).split('\n');
  const [, user, nice, system, , , irq, softirq, steal] = (line ?? '').trim().split(/\s+/).map(Number);
  const busyTicks = [user, nice, system, irq, softirq, steal].reduce<number>((sum, value) => sum + (value ?? 0), 0);
  return { busy: (busyTicks * 1000) / 100, cores: availableParallelism() };
}

/**
 * How much of the machine's CPU went to processes that are not part of the bench (not the servers, not PostgreSQL,
 * not this process and its load generator) while a scenario ran: on a shared machine that noise skews ratios.
 */
export async function foreignCpu(serverPids: number[]) {
  const snapshot = async () => {
    const servers = await Promise.all(serverPids.map((pid) => cpuTimeMs(pid).catch(() => 0)));
    const own = process.cpuUsage();
    return {
      at: performance.now(),
      machine: await machineBusyMs(),
      ours: servers.reduce((sum, value) => sum + value, 0) + (own.user + own.system) / 1000 + (await postgresCpuMs()),
    };
  };
  const before = await snapshot();
  return {
    async stop(): Promise<number> {
      const after = await snapshot();
      const foreign = after.machine.busy - before.machine.busy - (after.ours - before.ours);
      return Math.max(0, foreign / ((after.at - before.at) * after.machine.cores));
    },
  };
}
