// The few parts of Bun's API that src/bun-server.ts and src/websocket/bun.ts use, declared here rather than depending
// on @types/bun (which would also redeclare Node's globals for the whole project).
declare namespace Bun {
  interface SocketAddress {
    address: string;
  }
  /** The data type defaults to unknown (Bun's own types: undefined) so that graphql-ws's untyped handler accepts ours. */
  interface ServerWebSocket<Data = unknown> {
    /** What `server.upgrade` was given. */
    readonly data: Data;
    /** 0 connecting, 1 open, 2 closing, 3 closed. */
    readonly readyState: number;
    sendText(data: string): number;
    close(code?: number, reason?: string): void;
    /** Cuts the connection without a close handshake. */
    terminate(): void;
  }
  interface WebSocketHandler<Data = unknown> {
    open?(socket: ServerWebSocket<Data>): void | Promise<void>;
    message(socket: ServerWebSocket<Data>, message: string | Buffer): void | Promise<void>;
    close?(socket: ServerWebSocket<Data>, code: number, reason: string): void | Promise<void>;
    /** Bytes; a larger message closes the socket with 1009. */
    maxPayloadLength?: number;
    /** Seconds without traffic before a ping (with `sendPings`) and, unanswered, the close. */
    idleTimeout?: number;
    sendPings?: boolean;
  }
  interface Server {
    readonly port: number;
    /** Stops listening; with `false`, lets in-flight requests finish. Resolves once the connections are closed. */
    stop(closeActiveConnections?: boolean): Promise<void>;
    requestIP(request: Request): SocketAddress | null;
    /** Answers the handshake (false when the request is not a valid WebSocket upgrade); `fetch` then returns nothing. */
    upgrade<Data>(request: Request, options: { data: Data; headers?: Record<string, string> }): boolean;
  }
  interface ServeOptions<Data> {
    port: number;
    hostname: string;
    /** Seconds a connection may stay without traffic (idle keep-alive, or a silent response) before it is closed. */
    idleTimeout?: number;
    fetch(request: Request, server: Server): Response | undefined | Promise<Response | undefined>;
    websocket?: WebSocketHandler<Data>;
  }
  function serve<Data>(options: ServeOptions<Data>): Server;
}

// What graphql-ws's Bun adapter (graphql-ws/use/bun) imports its types from.
declare module 'bun' {
  export type ServerWebSocket<Data = unknown> = Bun.ServerWebSocket<Data>;
  export type WebSocketHandler<Data = unknown> = Bun.WebSocketHandler<Data>;
}
