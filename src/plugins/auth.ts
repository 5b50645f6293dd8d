import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  type ExecutionArgs,
  GraphQLError,
  type GraphQLObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { isAsyncIterable, type Plugin, Repeater } from 'graphql-yoga';
import { createLocalJWKSet, createRemoteJWKSet, type JWTPayload, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config.js';
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
    case 'jwksFile':
      return { key: createLocalJWKSet(key.keySet), algorithms: asymmetricAlgorithms };
  }
}

const unauthenticated = (message: string) =>
  requestRefused(ErrorCode.Unauthenticated, 401, message, { 'WWW-Authenticate': 'Bearer' });

/** What a verified bearer token says: whom it acts for, and until when (its exp, when it has one). */
export interface BearerIdentity {
  subject: string;
  expiresAt?: Date;
}

/**
 * Where the binding plugins read the caller's identity: useBearerAuth puts it there for HTTP; another transport
 * running the same pipeline (yoga.getEnveloped) passes it in the initial context. Without it, every operation is
 * refused as unauthenticated.
 */
export interface BearerContext {
  bearer?: BearerIdentity;
}

/** Verifies a bearer token and resolves with its identity; rejects with UNAUTHENTICATED. */
export function createTokenVerifier(config: AuthConfig, logger: Logger) {
  const { key, algorithms } = verificationKey(config.key);
  const options = { algorithms, issuer: config.issuer, audience: config.audience };
  return async (authorization: string | null): Promise<BearerIdentity> => {
    const token = /^Bearer +([\w-]+\.[\w-]+\.[\w-]+) *$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthenticated('Send Authorization: Bearer <JWT>.');
    let payload: JWTPayload;
    try {
      // jwtVerify has one overload per key kind; both are valid here.
      ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options));
    } catch (error) {
      logger.info({ reason: error instanceof Error ? error.message : String(error) }, 'bearer token refused');
      throw unauthenticated('The bearer token is invalid or expired.');
    }
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject === '') throw unauthenticated('The bearer token has no subject (sub).');
    // jwtVerify has checked that exp, when present, is a number in the future.
    return payload.exp === undefined ? { subject } : { subject, expiresAt: new Date(payload.exp * 1000) };
  };
}

/** Requires a valid bearer token on every GraphQL request and gives its identity to the request's context. */
export function useBearerAuth(config: AuthConfig, logger: Logger, identities: WeakMap<Request, BearerIdentity>): Plugin<BearerContext> {
  const verify = createTokenVerifier(config, logger);
  return {
    async onRequestParse({ request }) {
      identities.set(request, await verify(request.headers.get('authorization')));
    },
    onContextBuilding({ context, extendContext }) {
      const identity = identities.get(context.request);
      if (identity) extendContext({ bearer: identity });
    },
  };
}

/**
 * The user ids the operation's root fields name: `userId` arguments and the `id` of fields that return a User. The
 * users an operation reads or writes, for the subject binding and the response cache alike.
 */
export function claimedUserIds(args: ExecutionArgs): string[] | undefined {
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

/**
 * Why this identity may not run this operation, or undefined when it may: the one check behind queries, mutations
 * and subscriptions alike, whatever the transport.
 */
export function bindingRefusal(args: ExecutionArgs, identity: BearerIdentity | undefined): GraphQLError | undefined {
  if (!identity) return unauthenticated('Send Authorization: Bearer <JWT>.');
  // A connection verified once (a WebSocket) can outlive its token.
  if (identity.expiresAt && identity.expiresAt.getTime() <= Date.now()) return unauthenticated(tokenExpiredMessage);
  const others = (claimedUserIds(args) ?? []).filter((userId) => userId !== identity.subject);
  return others.length > 0 ? requestRefused(ErrorCode.Forbidden, 403, 'The bearer token may act only for its own user (its sub).') : undefined;
}

/**
 * Refuses, before any resolver runs and before a subscription sends anything, an operation that acts for a user
 * other than the token's subject; ends a subscription when its token expires.
 */
export function useSubjectBinding(): Plugin<BearerContext> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refusal = bindingRefusal(args, args.contextValue.bearer);
      if (refusal) setResultAndStopExecution({ errors: [refusal] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const identity = args.contextValue.bearer;
      const refusal = bindingRefusal(args, identity);
      if (refusal) {
        setResultAndStopExecution({ errors: [refusal] });
        return;
      }
      const expiresAt = identity?.expiresAt;
      if (!expiresAt) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endAt(result, expiresAt, () => ({ errors: [tokenExpired()] })));
        },
      };
    },
  };
}

const tokenExpiredMessage = 'The bearer token expired.';
const tokenExpired = () => new GraphQLError(tokenExpiredMessage, { extensions: { code: ErrorCode.Unauthenticated } });

// setTimeout fires at once for longer delays (about 24.8 days).
const longestTimerDelayMs = 2 ** 31 - 1;

/** Passes the source's values on until `at`, then sends `last()` and completes (closing the source). */
function endAt<T>(source: AsyncIterable<T>, at: Date, last: () => T): Repeater<T> {
  return new Repeater<T>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let timer: NodeJS.Timeout | undefined;
    const expireWhenDue = () => {
      const remainingMs = at.getTime() - Date.now();
      if (remainingMs > 0) {
        timer = setTimeout(expireWhenDue, Math.min(remainingMs, longestTimerDelayMs));
        return;
      }
      void push(last());
      stop();
    };
    expireWhenDue();
    const stopped = stop.then(() => undefined);
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stopped]);
        if (!next || next.done) break;
        await push(next.value);
      }
      stop();
    } catch (error) {
      stop(error);
    } finally {
      clearTimeout(timer);
      await iterator.return?.();
    }
  });
}
