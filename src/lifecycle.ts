/**
 * The process's place between start and exit, shared by whoever stops it (src/server.ts sets it) and whoever
 * reports it (the readiness check). One per server, passed in: tests build apps side by side.
 */
export interface Lifecycle {
  /** A stop signal arrived: `/ready` fails from now on, so that load balancers stop routing here. */
  shuttingDown: boolean;
}

export function createLifecycle(): Lifecycle {
  return { shuttingDown: false };
}
