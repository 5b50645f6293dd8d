import { createHash } from 'node:crypto';
import { useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import { type DocumentNode, type ExecutionArgs, getOperationAST, type GraphQLSchema, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
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

// The key of what must not be cached: the store is never asked about it.
const uncached = '';
const parsedDocumentsKept = 1000;
// Bounds what the kept documents can hold (bodies may reach MAX_BODY_BYTES); longer ones are parsed each time.
const longestDocumentKept = 16_384;
const servedFromCache = Symbol.for('servedFromResponseCache');

/** The users a query reads (their answers are keyed by their generations) and a mutation writes (it moves them). */
function namedUsers(args: ExecutionArgs): string[] {
  return [...new Set(claimedUserIds(args) ?? [])].sort();
}

function operationKind(args: ExecutionArgs) {
  return getOperationAST(args.document, args.operationName)?.operation;
}

/**
 * Caches the answers of HTTP queries that name users, keyed by the document, its variables, the token's subject
 * (with AUTH_*) and the current generation of every user the operation names. Every mutation (over HTTP or
 * WebSocket) moves the generations of the users its root fields name once it has run and before its answer is
 * sent, so a client always reads its own writes. Subscriptions, mutations, answers with errors and operations that
 * name no user (introspection, __typename) are never cached; neither are WebSocket operations, which skip the
 * params phase where the lookup happens.
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
  const lookups = new WeakMap<Request, number>();
  const requests = new Counter({
    name: 'taskgraph_response_cache_requests_total',
    help: 'Cacheable queries by whether their answer came from the response cache (hit) or was executed (miss).',
    labelNames: ['result'],
    registers: [options.registry],
  });
  requests.inc({ result: 'hit' }, 0);
  requests.inc({ result: 'miss' }, 0);

  const cacheKey = async (text: string, variables: Readonly<Record<string, unknown>> | undefined, operationName: string | undefined, request: Request) => {
    // A client revalidating an ETag would get 304 for an entry of an earlier generation.
    if (request.headers.has('if-none-match')) return uncached;
    const document = parseKept(text);
    if (!document) return uncached;
    const args: ExecutionArgs = { schema, document, variableValues: variables, operationName };
    if (operationKind(args) !== 'query') return uncached;
    const identity = identities?.get(request);
    // A hit skips execution, where the binding runs: refuse to look up what the binding will refuse.
    if (identities && bindingRefusal(args, identity)) return uncached;
    const users = namedUsers(args);
    if (users.length === 0) return uncached;
    const generations = await store.generations(users);
    if (generations === undefined) return uncached;
    lookups.set(request, (lookups.get(request) ?? 0) + 1);
    return createHash('sha256')
      .update(JSON.stringify([text, operationName ?? null, variables ?? {}, identity?.subject ?? null, users, generations]))
      .digest('hex');
  };

  const cache: Cache = {
    async get(key) {
      if (key === uncached) return undefined;
      const answer = await store.get(key);
      return answer === undefined ? undefined : (JSON.parse(answer) as Awaited<ReturnType<Cache['get']>>);
    },
    async set(key, result, _entities, ttlMs) {
      if (key !== uncached) await store.set(key, JSON.stringify(result), ttlMs);
    },
    // Writes move generations instead (useTaskResponseCache's onExecute).
    invalidate() {},
  };

  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        useResponseCache({
          cache,
          ttl: options.ttlMs,
          session: (request) => identities?.get(request)?.subject ?? null,
          buildResponseCacheKey: ({ documentString, variableValues, operationName, request }) =>
            cacheKey(documentString, variableValues ?? undefined, operationName ?? undefined, request),
          enabled: (request) => (lookups.get(request) ?? 0) > 0,
          invalidateViaMutation: false,
          shouldCacheResult: ({ cacheKey: key, result }) => key !== uncached && !result.errors?.length,
          includeExtensionMetadata: false,
        }),
      );
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
    onResultProcess({ request, result }) {
      const looked = lookups.get(request);
      if (!looked) return;
      lookups.delete(request);
      const results = Array.isArray(result) ? result : [result];
      const hits = results.filter((single) => typeof single === 'object' && single !== null && servedFromCache in single).length;
      if (hits > 0) requests.inc({ result: 'hit' }, hits);
      if (looked > hits) requests.inc({ result: 'miss' }, looked - hits);
    },
  };
}
