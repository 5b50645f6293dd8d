import { GraphQLError } from 'graphql';

/** Every `extensions.code` this API sends; clients can switch on these. */
export const ErrorCode = {
  BadUserInput: 'BAD_USER_INPUT',
  NotFound: 'NOT_FOUND',
  Internal: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function badUserInput(field: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, field } });
}

export function notFound(typename: string, id: string): GraphQLError {
  return new GraphQLError(`${typename} ${id} was not found.`, { extensions: { code: ErrorCode.NotFound } });
}

const prismaRecordNotFound = 'P2025';

export function isRecordNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === prismaRecordNotFound;
}

const prismaForeignKeyViolation = 'P2003';

export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === prismaForeignKeyViolation;
}
