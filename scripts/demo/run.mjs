// npm run demo: the API on the embedded database and the web app (examples/web) on its own origin, which the API
// allows through CORS_ORIGINS; no dev-server proxy. Installs and builds the app on first use.
//   npm run demo [-- --trusted-documents]   API_PORT=4000 WEB_PORT=5173 by default
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const web = join(root, 'examples/web');
const apiPort = Number(process.env.API_PORT ?? 4000);
const webPort = Number(process.env.WEB_PORT ?? 5173);
const host = '127.0.0.1';
const trustedDocuments = process.argv.includes('--trusted-documents');
const manifests = ['examples/client/src/gql/persisted-documents.json', 'examples/web/src/gql/persisted-documents.json'];

function run(command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function newestChange(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

if (!existsSync(join(web, 'node_modules'))) run('npm', ['ci', '--no-audit', '--no-fund'], web);
const builtPage = join(web, 'dist/index.html');
const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((entry) => join(web, entry));
if (!existsSync(builtPage) || Math.max(...sources.map(newestChange)) > statSync(builtPage).mtimeMs) {
  run('npm', ['run', 'build'], web);
}
const builtServer = join(root, 'dist/server.js');
if (!existsSync(builtServer) || newestChange(join(root, 'src')) > statSync(builtServer).mtimeMs) {
  run('npx', ['tsc', '-p', 'tsconfig.build.json', '--noCheck']);
}

const appOrigins = [`http://${host}:${webPort}`, `http://localhost:${webPort}`];
const api = spawn(process.execPath, ['dist/server.js'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    HOST: host,
    PORT: String(apiPort),
    CORS_ORIGINS: appOrigins.join(','),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(trustedDocuments ? { TRUSTED_DOCUMENTS: manifests.join(',') } : {}),
  },
});
api.once('exit', (code) => {
  console.error(`the API exited (${code}); stopping the demo`);
  process.exit(code ?? 1);
});

async function waitForApi() {
  for (;;) {
    try {
      if ((await fetch(`http://${host}:${apiPort}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
await waitForApi();

const { serveApp } = await import('../examples/web/serve.mjs');
const app = await serveApp({
  port: webPort,
  host,
  config: { apiUrl: `http://${host}:${apiPort}/graphql`, trustedDocuments },
});
console.log(`
taskgraph demo
  web app  ${app.url}   (open it in a browser; another user in a second window)
  API      http://${host}:${apiPort}/graphql   (GraphiQL; CORS_ORIGINS=${appOrigins.join(',')})${
  trustedDocuments ? `\n  TRUSTED_DOCUMENTS=${manifests.join(',')}: only the example clients' documents run` : ''
}
Ctrl+C stops both.`);

const stop = () => {
  api.removeAllListeners('exit');
  api.once('exit', () => process.exit(0));
  api.kill('SIGTERM');
  void app.close();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
