import { GraphQLError } from 'graphql';
import { maskError, type MaskError } from 'graphql-yoga';
import { serviceUnavailable } from './errors.js';

// Kinds @prisma/adapter-pg gives socket failures (meta.driverAdapterError.cause.kind).
const unreachableKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

// Prisma's own codes for the same situations when it reports them itself.
const unreachablePrismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

// SQLSTATEs: connection exceptions (class 08), too many connections, server shutting down or starting,
// and query_canceled, which is how statement_timeout ends a statement (the API never cancels one itself).
const unavailableSqlStates = /^(08...|53300|57P01|57P02|57P03|57014)$/;

// pg and pg-pool report timeouts and lost connections as plain Errors without a code.
const pgConnectionFailure =
  /^(timeout exceeded when trying to connect|Connection terminated|Query read timeout)/;

/** True when an error means the database is unreachable or did not answer in time, rather than a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if (pgConnectionFailure.test(current.message)) return true;
    const { code, meta } = current as Error & { code?: unknown; meta?: { driverAdapterError?: unknown } };
    if (typeof code === 'string' && unreachablePrismaCodes.has(code)) return true;
    const adapterCause = driverAdapterCause(meta?.driverAdapterError);
    if (adapterCause) {
      if (typeof adapterCause.kind === 'string' && unreachableKinds.has(adapterCause.kind)) return true;
      if (typeof adapterCause.code === 'string' && unavailableSqlStates.test(adapterCause.code)) return true;
    }
    current = current.cause;
  }
  return false;
}

function driverAdapterCause(error: unknown): { kind?: unknown; code?: unknown } | undefined {
  if (typeof error !== 'object' || error === null || !('cause' in error)) return undefined;
  const cause = error.cause;
  return typeof cause === 'object' && cause !== null ? cause : undefined;
}

/** Yoga's masking, except that an unavailable database gets its own stable code (still with no internals). */
export const maskDatabaseErrors: MaskError = (error, message, isDev) => {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (isDatabaseUnavailable(original)) {
    const unavailable = serviceUnavailable();
    return error instanceof GraphQLError
      ? new GraphQLError(unavailable.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          extensions: unavailable.extensions,
        })
      : unavailable;
  }
  return maskError(error, message, isDev);
};
