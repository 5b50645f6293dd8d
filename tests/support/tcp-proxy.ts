import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * How a cut proxy behaves. `refuse`: open connections are reset, new ones reset at once. `blackhole`: open
 * connections are reset, new ones accepted and never answered. `stall`: open connections stay open but nothing
 * passes any more (a network that silently drops packets), new ones are never answered.
 */
export type CutMode = 'refuse' | 'blackhole' | 'stall';

export interface TcpProxy {
  port: number;
  /** Destroys every open connection and treats new ones as `mode` says, until `restore()`. */
  cut(mode: CutMode): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 between the server and the database, so a test can take the database away and give it
 * back without stopping the shared PostgreSQL.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const links = new Set<{ client: Socket; upstream: Socket }>();
  let cutMode: CutMode | undefined;
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (cutMode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (cutMode !== undefined) return;
    const upstream = connect(target.port, target.host);
    track(upstream);
    const link = { client, upstream };
    links.add(link);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => {
      links.delete(link);
      upstream.destroy();
    });
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  const destroyAll = () => {
    for (const socket of open) socket.resetAndDestroy();
  };
  return {
    port: address.port,
    cut(mode) {
      cutMode = mode;
      if (mode !== 'stall') {
        destroyAll();
        return;
      }
      for (const { client, upstream } of links) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore() {
      cutMode = undefined;
      // Connections accepted or stalled during the cut are in an unknown state: end them so their clients reconnect.
      destroyAll();
    },
    async close() {
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
