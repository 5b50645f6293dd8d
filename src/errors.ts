import { GraphQLError } from 'graphql';
import { maskError, type MaskError } from 'graphql-yoga';
import { isDatabaseUnavailable } from './database-errors.js';

/** Every `extensions.code` this API sends; clients can switch on these. */
export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  /** Yoga's own code for a malformed request; also a WebSocket upgrade without the graphql-transport-ws subprotocol. */
  BadRequest: 'BAD_REQUEST',
  NotFound: 'NOT_FOUND',
  /** A write's expectedVersion no longer matched: nothing changed; extensions carry the record as it is now. */
  Conflict: 'CONFLICT',
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Internal: 'INTERNAL_SERVER_ERROR',
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  RateLimited: 'RATE_LIMITED',
  TooManySubscriptions: 'TOO_MANY_SUBSCRIPTIONS',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  CsrfHeaderMissing: 'CSRF_HEADER_MISSING',
  MaxDepthExceeded: 'MAX_DEPTH_EXCEEDED',
  MaxAliasesExceeded: 'MAX_ALIASES_EXCEEDED',
  MaxTokensExceeded: 'MAX_TOKENS_EXCEEDED',
  MaxDirectivesExceeded: 'MAX_DIRECTIVES_EXCEEDED',
  MaxCostExceeded: 'MAX_COST_EXCEEDED',
  PersistedQueryIdRequired: 'PERSISTED_QUERY_ID_REQUIRED',
  PersistedQueryNotInList: 'PERSISTED_QUERY_NOT_IN_LIST',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function badUserInput(field: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, field } });
}

export function notFound(typename: string, id: string): GraphQLError {
  return new GraphQLError(`${typename} ${id} was not found.`, { extensions: { code: ErrorCode.NotFound } });
}

/** Some of the records a bulk write named are not the user's: nothing changed. Never says which, nor whose they are. */
export function someNotFound(pluralTypename: string, missing: number, named: number): GraphQLError {
  const verb = missing === 1 ? 'was' : 'were';
  return new GraphQLError(`${missing} of the ${named} ${pluralTypename} ${verb} not found.`, {
    extensions: { code: ErrorCode.NotFound, missing },
  });
}

/**
 * A write whose expectedVersion is not the stored version: nothing changed. `extensions[field]` is the record as it
 * is now, as the client would read it, so the client can merge and retry with its version.
 */
export function conflict(typename: string, id: string, field: string, current: { version: number }): GraphQLError {
  return new GraphQLError(`${typename} ${id} was changed meanwhile: it is now at version ${current.version}.`, {
    extensions: { code: ErrorCode.Conflict, [field]: current },
  });
}

/** An error that ends the request with this HTTP status (Yoga reads extensions.http and strips it). */
export function requestRefused(code: ErrorCode, status: number, message: string, headers?: Record<string, string>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status, ...(headers ? { headers } : {}) } } });
}

/** A document refused by one of the query limits, before execution. */
export function limitExceeded(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/**
 * The database could not be reached or did not answer in time. Says nothing about the database itself; the outcome
 * of a mutation that failed this way is unknown (it may have committed just before the connection was lost).
 */
export function serviceUnavailable(): GraphQLError {
  return new GraphQLError('The service is temporarily unavailable. Try again later.', {
    extensions: { code: ErrorCode.ServiceUnavailable },
  });
}

/** Yoga's masking, except that an unavailable database gets its own stable code (still with no internals). */
export const maskErrors: MaskError = (error, message, isDev) => {
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
