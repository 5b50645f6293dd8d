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
 * TRUSTED_DOCUMENTS: only the documents of the manifests run, named by hash, over every HTTP transport (POST, GET
 * and SSE subscriptions). Anything else is refused with 400 in Yoga's params phase, before parsing: document text
 * (even of a trusted document), an unknown hash, or no hash at all. Yoga's @graphql-yoga/plugin-persisted-operations
 * does the work; this wires our manifest, both hash forms and our error codes into it.
 */
export function useTrustedDocuments(documents: TrustedDocuments): Plugin {
  return usePersistedOperations({
    // The text goes through Yoga's parser (and its cache, and the query limits) like any document.
    getPersistedOperation: (hash) => documents.get(hash) ?? null,
    extractPersistedOperationId: trustedDocumentHash,
    allowArbitraryOperations: false,
    customErrors: { persistedQueryOnly: idRequired, keyNotFound: idRequired, notFound: notInList },
  });
}
