import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
// tsx's own CLI relays signals to a child process and kills it if it does not acknowledge them within 30 ms,
// which a loaded machine misses: load tsx into node itself so signals reach the server directly.
const typescriptServer = ['--import', 'tsx', 'src/server.ts'];

/**
 * TASKGRAPH_TEST_RUNTIME=bun (npm run test:bun) runs the servers on Bun (`bun` from PATH, or TASKGRAPH_BUN), from
 * the compiled JavaScript: the Bun entry (Bun.serve) in place of the TypeScript server, and the Node entry as itself.
 */
export const testRuntime = process.env.TASKGRAPH_TEST_RUNTIME === 'bun' ? 'bun' : 'node';
const bun = process.env.TASKGRAPH_BUN ?? 'bun';
const [serverExecutable, serverArgs] = testRuntime === 'bun' ? ([bun, ['dist/bun-server.js']] as const) : ([process.execPath, typescriptServer] as const);

export interface ServerProcess {
  url: string;
  /** The process started: the server itself, or npm for `npm start`. */
  child: ChildProcess;
  /** The server's own process id, from its listening line. */
  serverPid: number;
  output: () => string;
  /** Resolves with the exit code of `child` (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const commands = {
  typescript: [serverExecutable, serverArgs],
  compiled: [testRuntime === 'bun' ? bun : process.execPath, ['dist/server.js']],
  // In its own process group, as a terminal's job or a container's command would be: Ctrl-C signals the group.
  'npm start': ['npm', ['start']],
} as const;

/** Runs the real server (`src/server.ts`) as a child process on a free port, with the given environment. */
export async function startServerProcess(
  env: Record<string, string>,
  command: keyof typeof commands = 'typescript',
): Promise<ServerProcess> {
  const [executable, args] = commands[command];
  const child = spawn(executable, args, {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: command === 'npm start',
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A server that never reports its port must not outlive the test.
  const startTimeout = setTimeout(() => child.kill('SIGTERM'), 90_000);
  const { port, serverPid } = await new Promise<{ port: number; serverPid: number }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const json = /"port":(\d+),"pid":(\d+)/.exec(output);
      if (json?.[1] && json[2]) resolve({ port: Number(json[1]), serverPid: Number(json[2]) });
      // LOG_FORMAT=pretty: `INFO (<pid>): taskgraph listening on http://localhost:<port>/graphql`
      const pretty = /\((\d+)\): taskgraph listening on http:\/\/localhost:(\d+)\//.exec(output);
      if (pretty?.[1] && pretty[2]) resolve({ port: Number(pretty[2]), serverPid: Number(pretty[1]) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  }).finally(() => clearTimeout(startTimeout));
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    serverPid,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the server expecting it to refuse to start; resolves with its exit code and output. */
export function runServerExpectingExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return runToExit(serverExecutable, serverArgs, env);
}

/** Runs one of the project's TypeScript entry points (e.g. `src/cli/migrate.ts`) to its exit. */
export function runScriptExpectingExit(script: string, env: Record<string, string>) {
  return runToExit(process.execPath, ['--import', 'tsx', script], env);
}

/** Runs a command of the project (e.g. `npm run db:seed`) to its end; resolves with its exit code and output. */
export function runToExit(
  executable: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(executable, args, {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}
