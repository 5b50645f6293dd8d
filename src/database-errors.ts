// What the database, its driver or Prisma said, recognised in one place: errors.ts turns it into what clients see.

/** Prisma's code for a write whose `where` matched no row (update, delete). */
const prismaRecordNotFound = 'P2025';

/** Prisma's code for a foreign key violation (a task of a user who does not exist yet). */
const prismaForeignKeyViolation = 'P2003';

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

function hasPrismaCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

export function isRecordNotFound(error: unknown): boolean {
  return hasPrismaCode(error, prismaRecordNotFound);
}

export function isForeignKeyViolation(error: unknown): boolean {
  return hasPrismaCode(error, prismaForeignKeyViolation);
}

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

/** True when PostgreSQL refused the connection because the database it names does not exist (SQLSTATE 3D000). */
export function isMissingDatabase(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const { code, meta } = current as Error & { code?: unknown; meta?: { driverAdapterError?: unknown } };
    if (code === '3D000') return true;
    const adapterCause = driverAdapterCause(meta?.driverAdapterError);
    if (adapterCause?.kind === 'DatabaseDoesNotExist' || adapterCause?.code === '3D000') return true;
    current = current.cause;
  }
  return false;
}
