import type { DocumentNode } from 'graphql';

/**
 * The SHA-256 hash GraphQL Code Generator's client preset (persistedDocuments) embedded in a generated document as
 * `__meta__.hash` ("sha256:<hex>"), as the bare hex that `extensions.persistedQuery.sha256Hash` carries. A server
 * started with TRUSTED_DOCUMENTS=examples/client/src/gql/persisted-documents.json runs the document it names.
 */
export function documentHash(document: DocumentNode): string {
  const meta: unknown = (document as { __meta__?: unknown }).__meta__;
  const hash = typeof meta === 'object' && meta !== null && 'hash' in meta ? meta.hash : undefined;
  if (typeof hash !== 'string') {
    throw new Error('This document has no generated hash: only documents from the generated gql/ folder can be sent as trusted documents.');
  }
  return hash.replace(/^sha256:/, '');
}
