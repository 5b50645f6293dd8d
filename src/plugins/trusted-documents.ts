import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { TrustedDocuments } from '../config.js';
import { ErrorCode, requestRefused } from '../errors.js';

// The GraphQL-over-HTTP trusted documents proposal prefixes ids with their hash algorithm (as the client preset's
// manifest does); Apollo's persistedQuery extension sends bare hex. Both name the same document.
const hashPattern = /^(?:sha256:)?([0-9a-f]{64})$/;

function hashOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return hashPattern.exec(value)?.[1] ?? value;
}

/**
 * The hash a request names: Apollo's `extensions.persistedQuery.sha256Hash` (what Apollo Client's persisted query
 * link, urql's persisted exchange and Yoga's own clients send), or the proposal's `documentId` (in a POST body, or
 * a GET parameter, which Yoga's GET parser does not keep in the params).
 */
export function trustedDocumentHash(params: GraphQLParams & { documentId?: unknown }, request: Request): string | null {
  const persistedQuery: unknown = params.extensions?.persistedQuery;
  if (typeof persistedQuery === 'object' && persistedQuery !== null && 'sha256Hash' in persistedQuery) {
    return hashOf(persistedQuery.sha256Hash);
  }
  if (params.documentId !== undefined) return hashOf(params.documentId);
  if (request.method === 'GET') return hashOf(new URL(request.url).searchParams.get('documentId'));
  return null;
}

export const trustedDocumentsOnlyMessage =
  'This server runs only trusted documents: send the hash of a document the client was built with ' +
  '(extensions.persistedQuery.sha256Hash or documentId), not the document text.';

const idRequired = () => requestRefused(ErrorCode.PersistedQueryIdRequired, 400, trustedDocumentsOnlyMessage);
const notInList = () =>
  requestRefused(ErrorCode.PersistedQueryNotInList, 400, 'No trusted document has this hash: the client and the server disagree on the manifest.');

/**
 * The text of the trusted document a request names, for a transport that runs Yoga's envelop itself instead of
 * Yoga's HTTP pipeline (graphql-ws calls yoga.getEnveloped): parse what this returns. Throws the HTTP refusals.
 */
export function trustedDocumentText(documents: TrustedDocuments, params: GraphQLParams & { documentId?: unknown }, request: Request): string {
  if (params.query) throw idRequired();
  const hash = trustedDocumentHash(params, request);
  if (hash === null) throw idRequired();
  const text = documents.get(hash);
  if (text === undefined) throw notInList();
  return text;
}

/**
 * TRUSTED_DOCUMENTS: only the documents of the manifests run, named by hash, over every HTTP transport (POST, GET
 * and SSE subscriptions). Anything else is refused with 400 in Yoga's params phase, before parsing: document text
 * (even of a trusted document), an unknown hash, or no hash at all. Yoga's @graphql-yoga/plugin-persisted-operations
 * does the work; this wires our manifest, both hash forms and our error codes into it.
 *
 * A transport that skips the params phase (running yoga.getEnveloped itself) can parse only the exact text of a
 * trusted document, which trustedDocumentText gives it for a hash: anything else is refused at parse, so such a
 * transport is closed until it resolves hashes, never open.
 */
export function useTrustedDocuments(documents: TrustedDocuments): Plugin {
  const trustedTexts = new Set(documents.values());
  const throughParams = new WeakSet<object>();
  const persisted = usePersistedOperations({
    // The text goes through Yoga's parser (and its cache, and the query limits) like any document.
    getPersistedOperation: (hash) => documents.get(hash) ?? null,
    extractPersistedOperationId: trustedDocumentHash,
    allowArbitraryOperations: false,
    customErrors: { persistedQueryOnly: idRequired, keyNotFound: idRequired, notFound: notInList },
  });
  return {
    ...persisted,
    onParams(payload) {
      throughParams.add(payload.context);
      return persisted.onParams?.(payload);
    },
    onParse(payload) {
      if (!throughParams.has(payload.context) && !(typeof payload.params.source === 'string' && trustedTexts.has(payload.params.source))) {
        throw idRequired();
      }
      return persisted.onParse?.(payload);
    },
  };
}
