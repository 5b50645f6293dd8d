import { readFileSync } from 'node:fs';
import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { type AuthConfig, ConfigError } from '../config.js';
import { ErrorCode, requestRefused } from '../errors.js';
import type { Logger } from '../logger.js';

const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

type VerificationKey = Uint8Array | JWTVerifyGetKey;

function verificationKey(key: AuthConfig['key']): { key: VerificationKey; algorithms: string[] } {
  switch (key.kind) {
    case 'secret':
      return { key: new TextEncoder().encode(key.secret), algorithms: ['HS256'] };
    case 'jwksUrl':
      return { key: createRemoteJWKSet(new URL(key.url), { timeoutDuration: 5000 }), algorithms: asymmetricAlgorithms };
    case 'jwksFile': {
      let keySet: JSONWebKeySet;
      try {
        keySet = JSON.parse(readFileSync(key.path, 'utf8')) as JSONWebKeySet;
        return { key: createLocalJWKSet(keySet), algorithms: asymmetricAlgorithms };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ConfigError(`Invalid configuration:\n  AUTH_JWKS_FILE=${JSON.stringify(key.path)}: not a readable JWKS (${reason})`);
      }
    }
  }
}

const unauthenticated = (message: string) =>
  requestRefused(ErrorCode.Unauthenticated, 401, message, { 'WWW-Authenticate': 'Bearer' });

/** Verifies a bearer token and resolves with its subject; rejects with UNAUTHENTICATED. */
export function createTokenVerifier(config: AuthConfig, logger: Logger) {
  const { key, algorithms } = verificationKey(config.key);
  const options = { algorithms, issuer: config.issuer, audience: config.audience };
  return async (authorization: string | null): Promise<string> => {
    const token = /^Bearer +([\w-]+\.[\w-]+\.[\w-]+) *$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthenticated('Send Authorization: Bearer <JWT>.');
    let subject: unknown;
    try {
      // jwtVerify has one overload per key kind; both are valid here.
      const { payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
      subject = payload.sub;
    } catch (error) {
      logger.info({ reason: error instanceof Error ? error.message : String(error) }, 'bearer token refused');
      throw unauthenticated('The bearer token is invalid or expired.');
    }
    if (typeof subject !== 'string' || subject === '') throw unauthenticated('The bearer token has no subject (sub).');
    return subject;
  };
}

/** Requires a valid bearer token on every GraphQL request and remembers its subject for the request. */
export function useBearerAuth(config: AuthConfig, logger: Logger, subjects: WeakMap<Request, string>): Plugin {
  const verify = createTokenVerifier(config, logger);
  return {
    async onRequestParse({ request }) {
      subjects.set(request, await verify(request.headers.get('authorization')));
    },
  };
}

/** The user ids the operation's root fields name: `userId` arguments and the `id` of fields that return a User. */
function claimedUserIds(args: ExecutionArgs): string[] | undefined {
  const operation = getOperationAST(args.document, args.operationName);
  const root = operation && args.schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const variables = getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {});
  // Execution refuses these before any resolver runs.
  if (variables.errors) return undefined;
  const fragments = new Map(
    args.document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const claimed: string[] = [];
  const visit = (selectionSet: SelectionSetNode, type: GraphQLObjectType, seen: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, type, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) visit(fragment.selectionSet, type, new Set([...seen, fragment.name.value]));
      } else {
        const field = type.getFields()[selection.name.value];
        if (!field) continue;
        let values: Record<string, unknown>;
        try {
          values = getArgumentValues(field, selection, variables.coerced);
        } catch {
          continue; // an invalid argument fails this field before its resolver runs
        }
        if (typeof values.userId === 'string') claimed.push(values.userId);
        if (getNamedType(field.type).name === 'User' && typeof values.id === 'string') claimed.push(values.id);
      }
    }
  };
  visit(operation.selectionSet, root, new Set());
  return claimed;
}

interface OperationHookPayload {
  args: ExecutionArgs;
  setResultAndStopExecution(result: ExecutionResult): void;
}

/** Refuses, before any resolver runs, an operation that acts for a user other than the token's subject. */
export function useSubjectBinding(subjects: WeakMap<Request, string>, requestOf: (context: unknown) => Request | undefined): Plugin {
  // Subscriptions too: over SSE and WebSocket they are refused before their first event.
  const refuseOtherUsers = ({ args, setResultAndStopExecution }: OperationHookPayload) => {
    const request = requestOf(args.contextValue);
    const subject = request && subjects.get(request);
    if (subject === undefined) {
      setResultAndStopExecution({ errors: [unauthenticated('Send Authorization: Bearer <JWT>.')] });
      return;
    }
    const others = (claimedUserIds(args) ?? []).filter((userId) => userId !== subject);
    if (others.length > 0) {
      setResultAndStopExecution({
        errors: [requestRefused(ErrorCode.Forbidden, 403, 'The bearer token may act only for its own user (its sub).')],
      });
    }
  };
  return { onExecute: refuseOtherUsers, onSubscribe: refuseOtherUsers };
}
