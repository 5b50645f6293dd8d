import type { AddressInfo } from 'node:net';
import { createGracefulServer } from './graceful-server.js';
import { runServer } from './run-server.js';
import { attachWebSocket } from './websocket/node.js';

runServer(async (app, config) => {
  const { server, drain } = createGracefulServer(app.yoga);
  attachWebSocket(server, app.websocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  return { port: (server.address() as AddressInfo).port, drain };
});
