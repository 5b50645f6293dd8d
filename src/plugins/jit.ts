import { useGraphQlJit } from '@envelop/graphql-jit';
import { type DocumentNode, Kind } from 'graphql';

function isSubscription(document: DocumentNode): boolean {
  return document.definitions.some(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription',
  );
}

/**
 * Queries and mutations run compiled by graphql-jit. Subscriptions run on graphql-js: graphql-jit leaves a
 * subscription whose arguments fail validation hanging.
 */
export function useJitExceptSubscriptions() {
  return useGraphQlJit({}, { enableIf: ({ document }) => !isSubscription(document) });
}
