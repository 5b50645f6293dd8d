import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

const running = new Set<ChildProcess>();
// Children must not outlive the bench, also when it fails or is interrupted.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(130);
  });
}

export interface ServerProcess {
  pid: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point as a plain node process (tsx as a loader, so the pid is the server itself). */
export async function startServer(
  entry: string,
  port: number,
  env: Record<string, string>,
  nodeOptions: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', entry], {
    cwd: projectRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
