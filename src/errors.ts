import { GraphQLError } from 'graphql';

/** Every `extensions.code` this API sends; clients can switch on these. */
export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  /** Yoga's own code for a malformed request; also a WebSocket upgrade without the graphql-transport-ws subprotocol. */
  BadRequest: 'BAD_REQUEST',
  NotFound: 'NOT_FOUND',
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
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function badUserInput(field: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, field } });
}

export function notFound(typename: string, id: string): GraphQLError {
  return new GraphQLError(`${typename} ${id} was not found.`, { extensions: { code: ErrorCode.NotFound } });
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

const prismaRecordNotFound = 'P2025';

export function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === prismaRecordNotFound;
}

const prismaForeignKeyViolation = 'P2003';

export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === prismaForeignKeyViolation;
}
