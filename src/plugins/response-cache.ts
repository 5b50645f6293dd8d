import { createHash } from 'node:crypto';
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, getOperationAST, type GraphQLSchema, parse } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { Counter, type Registry } from 'prom-client';
import type { ResponseCacheConfig } from '../config.js';
import { bindingRefusal, type BearerIdentity, claimedUserIds } from './auth.js';
import type { ResponseCacheStore } from './response-cache-store.js';

export interface ResponseCacheOptions extends ResponseCacheConfig {
  schema: GraphQLSchema;
  store: ResponseCacheStore;
  /** The verified identity of each HTTP request (useBearerAuth); null when the API is open. */
  identities: WeakMap<Request, BearerIdentity> | null;
  /** MAX_TOKENS: the documents parsed here to find their users are held to the limit Yoga's parser applies. */
  maxTokens: number;
  registry: Registry;
}

const parsedDocumentsKept = 1000;
// Bounds what the kept documents can hold (bodies may reach MAX_BODY_BYTES); longer ones are parsed each time.
const longestDocumentKept = 16_384;

/** A cacheable operation: its key, and the users it names (whose writes make its answer unreachable). */
interface CachedOperation {
  key: string;
  users: readonly string[];
}

/** The users a query reads (their answers are keyed by their generations) and a mutation writes (it moves them). */
function namedUsers(args: ExecutionArgs): string[] {
  return [...new Set(claimedUserIds(args) ?? [])].sort();
}

function operationKind(args: ExecutionArgs) {
  return getOperationAST(args.document, args.operationName)?.operation;
}

/** What Yoga would send for this result: its `extensions.http` (status, headers) is for the response, not the body. */
function answerText(result: { data?: unknown; extensions?: Record<string, unknown> }): string {
  const { http: _http, ...extensions } = result.extensions ?? {};
  return JSON.stringify(Object.keys(extensions).length > 0 ? { data: result.data, extensions } : { data: result.data });
}

/**
 * A stored answer as a result: Yoga sends its text as is (no parse, no stringify); its data is parsed only if a hook
 * reads it. No `extensions` property: Yoga reads it on every answer (for `http`), which would parse every hit.
 */
function storedAnswer(text: string): ExecutionResult & { stringify(): string } {
  let data: ExecutionResult['data'];
  return {
    get data() {
      data ??= (JSON.parse(text) as ExecutionResult).data;
      return data;
    },
    stringify: () => text,
  };
}

/**
 * Caches the answers of HTTP queries that name users, keyed by the document, its variables, the token's subject
 * (with AUTH_*) and the current generation of every user the operation names. Every mutation (over HTTP or
 * WebSocket) moves the generations of the users its root fields name once it has run and before its answer is
 * sent, so a client always reads its own writes. Subscriptions, mutations, answers with errors and operations that
 * name no user (introspection, __typename) are never cached; neither are WebSocket operations, which skip the
 * params phase where the lookup happens.
 *
 * Its own hooks rather than @graphql-yoga/plugin-response-cache: that plugin rewrites every query to select
 * __typename and ids in every selection set, copies every result to strip them again and records every entity, all
 * for invalidation by entity, which this cache does not use (it invalidates by generation); it also looks an answer
 * up twice on a miss (a second Redis GET) and parses then re-serializes every hit.
 */
export function useTaskResponseCache(options: ResponseCacheOptions): Plugin {
  const { schema, store, identities } = options;
  const documents = new Map<string, DocumentNode>();
  const parseKept = (text: string): DocumentNode | undefined => {
    const kept = documents.get(text);
    if (kept) return kept;
    let document: DocumentNode;
    try {
      document = parse(text, { maxTokens: options.maxTokens });
    } catch {
      return undefined; // Yoga's parser reports it
    }
    if (text.length > longestDocumentKept) return document;
    if (documents.size >= parsedDocumentsKept) documents.clear();
    documents.set(text, document);
    return document;
  };
  // Each operation looked up and not found, by its context (one per operation of a batch).
  const missed = new WeakMap<object, CachedOperation>();
  const requests = new Counter({
    name: 'taskgraph_response_cache_requests_total',
    help: 'Cacheable queries by whether their answer came from the response cache (hit) or was executed (miss).',
    labelNames: ['result'],
    registers: [options.registry],
  });
  requests.inc({ result: 'hit' }, 0);
  requests.inc({ result: 'miss' }, 0);

  /** The operation's key, or undefined when it must not be cached (the store is then never asked about it). */
  const cacheKey = async (
    text: string | undefined,
    variables: Readonly<Record<string, unknown>> | undefined,
    operationName: string | undefined,
    request: Request,
  ): Promise<CachedOperation | undefined> => {
    const document = text === undefined ? undefined : parseKept(text);
    if (!document) return undefined;
    const args: ExecutionArgs = { schema, document, variableValues: variables, operationName };
    if (operationKind(args) !== 'query') return undefined;
    const identity = identities?.get(request);
    // A hit skips execution, where the binding runs: refuse to look up what the binding will refuse.
    if (identities && bindingRefusal(args, identity)) return undefined;
    const users = namedUsers(args);
    if (users.length === 0) return undefined;
    const generations = await store.generations(users);
    if (generations === undefined) return undefined;
    const key = createHash('sha256')
      .update(JSON.stringify([text, operationName ?? null, variables ?? {}, identity?.subject ?? null, users, generations]))
      .digest('hex');
    return { key, users };
  };

  return {
    async onParams({ params, request, context, setResult }) {
      const operation = await cacheKey(params.query, params.variables, params.operationName, request);
      if (operation === undefined) return;
      const answer = await store.get(operation.key);
      if (answer === undefined) {
        requests.inc({ result: 'miss' });
        missed.set(context, operation);
        return;
      }
      requests.inc({ result: 'hit' });
      setResult(storedAnswer(answer));
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      if (operationKind(args) !== 'mutation') return;
      const written = namedUsers(args);
      if (written.length === 0) return;
      setExecuteFn(async (executionArgs) => {
        try {
          return await executeFn(executionArgs);
        } finally {
          await store.bump(written);
        }
      });
    },
    async onExecutionResult({ result, context, setResult }) {
      const operation = missed.get(context);
      if (operation === undefined) return;
      missed.delete(context);
      if (!result || isAsyncIterable(result) || result.errors?.length) return;
      const text = answerText(result);
      await store.set(operation.key, text, options.ttlMs, operation.users);
      // Serialized once: the client gets the text just stored.
      setResult({ ...result, stringify: () => text });
    },
  };
}
