// Serves the built app (dist/) on its own origin, with config.json telling it where the API is. Node's http only:
// the example needs no server framework, and a static server that Vite's preview cannot give a runtime config.
//   node serve.mjs [--port 5173] [--host 127.0.0.1] [--api http://localhost:4000/graphql] [--trusted-documents]
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Starts the server; resolves with its URL and a close function. `config` is read on every request, so a caller
 * that learns the API's address later (a test on free ports) can fill it in after the start.
 * @param {{ root?: string, port?: number, host?: string, config: { apiUrl: string, trustedDocuments?: boolean } }} options
 */
export async function serveApp({ root = fileURLToPath(new URL('dist/', import.meta.url)), port = 5173, host = '127.0.0.1', config }) {
  const server = createServer(async (request, response) => {
    const configBody = JSON.stringify({ apiUrl: config.apiUrl, trustedDocuments: config.trustedDocuments ?? false });
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://app').pathname);
    if (path === '/config.json') {
      response.writeHead(200, { 'content-type': contentTypes['.json'], 'cache-control': 'no-store' });
      response.end(configBody);
      return;
    }
    const file = normalize(join(root, path));
    const inside = file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
    let target = inside ? file : join(root, 'index.html');
    try {
      if ((await stat(target)).isDirectory()) target = join(target, 'index.html');
      await stat(target);
    } catch {
      // A single-page app: unknown paths get the page.
      target = join(root, 'index.html');
    }
    response.writeHead(200, {
      'content-type': contentTypes[extname(target)] ?? 'application/octet-stream',
      // The page may talk to its own origin and to the API only; nothing else loads.
      'content-security-policy': `default-src 'self'; connect-src 'self' ${new URL(config.apiUrl).origin}; img-src 'self' data:; style-src 'self'`,
    });
    createReadStream(target).pipe(response);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      }),
  };
}

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await serveApp({
    port: Number(option('port', process.env.PORT ?? '5173')),
    host: option('host', '127.0.0.1'),
    config: {
      apiUrl: option('api', process.env.API_URL ?? 'http://localhost:4000/graphql'),
      trustedDocuments: process.argv.includes('--trusted-documents'),
    },
  });
  console.log(`taskgraph web app on ${url}`);
}
