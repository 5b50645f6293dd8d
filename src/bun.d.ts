// The few parts of Bun's API that src/bun-server.ts uses, declared here rather than depending on @types/bun (which
// would also redeclare Node's globals for the whole project).
declare namespace Bun {
  interface SocketAddress {
    address: string;
  }
  interface Server {
    readonly port: number;
    /** Stops listening; with `false`, lets in-flight requests finish. Resolves once the connections are closed. */
    stop(closeActiveConnections?: boolean): Promise<void>;
    requestIP(request: Request): SocketAddress | null;
  }
  interface ServeOptions {
    port: number;
    hostname: string;
    /** Seconds a connection may stay without traffic (idle keep-alive, or a silent response) before it is closed. */
    idleTimeout?: number;
    fetch(request: Request, server: Server): Response | Promise<Response>;
  }
  function serve(options: ServeOptions): Server;
}
