import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, ServerError } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { relayStylePagination } from '@apollo/client/utilities';
import { type DocumentNode, type GraphQLFormattedError, OperationTypeNode, print } from 'graphql';
import { createClient as createSseClient, type Client as SseClient, type RequestParams } from 'graphql-sse';
import { Observable, tap } from 'rxjs';
import type { ConnectionStatus } from './connection-status';
import type { RuntimeConfig } from './runtime-config';

/**
 * The hash the codegen client preset (persistedDocuments) put in the generated document as `__meta__.hash`
 * ("sha256:<hex>"), as the bare hex of extensions.persistedQuery.sha256Hash.
 */
export function documentHash(document: DocumentNode): string {
  const meta: unknown = (document as { __meta__?: unknown }).__meta__;
  const hash = typeof meta === 'object' && meta !== null && 'hash' in meta ? meta.hash : undefined;
  if (typeof hash !== 'string') throw new Error('Only generated documents (src/gql) can be sent as trusted documents.');
  return hash.replace(/^sha256:/, '');
}

const codesOf = (errors: readonly GraphQLFormattedError[] | undefined) => (errors ?? []).map((error) => error.extensions?.code);

/** Feeds the banner: SERVICE_UNAVAILABLE or a 503 means the API is unavailable, a failed fetch that it is unreachable. */
function connectionStatusLink(status: ConnectionStatus): ApolloLink {
  return new ApolloLink((operation, forward) =>
    forward(operation).pipe(
      tap({
        next: (result) => status.set('errors' in result && codesOf(result.errors).includes('SERVICE_UNAVAILABLE') ? 'unavailable' : 'ok'),
        error: (error: unknown) => {
          if (CombinedGraphQLErrors.is(error)) {
            status.set(codesOf(error.errors).includes('SERVICE_UNAVAILABLE') ? 'unavailable' : 'ok');
          } else if (ServerError.is(error)) {
            status.set(error.statusCode === 503 ? 'unavailable' : 'ok');
          } else {
            status.set('unreachable');
          }
        },
      }),
    ),
  );
}

/**
 * Subscriptions over Server-Sent Events with graphql-sse's client (distinct connections mode, which Yoga serves).
 * When the persisted query link has put a hash in the extensions, the text stays home.
 */
class ServerSentEventsLink extends ApolloLink {
  constructor(private readonly client: SseClient) {
    super();
  }

  override request(operation: ApolloLink.Operation): Observable<ApolloLink.Result> {
    const byHash = operation.extensions.persistedQuery !== undefined;
    const params = {
      operationName: operation.operationName,
      variables: operation.variables,
      extensions: operation.extensions,
      ...(byHash ? {} : { query: print(operation.query) }),
    } as RequestParams;
    return new Observable((observer) =>
      this.client.subscribe(params, {
        next: (result) => observer.next(result as ApolloLink.Result),
        complete: () => observer.complete(),
        error: (error: unknown) => observer.error(error instanceof Error ? error : new Error('The event stream failed.')),
      }),
    );
  }
}

export interface ClientOptions {
  config: RuntimeConfig;
  token?: string;
  status: ConnectionStatus;
}

/**
 * One client per signed-in user: a normalized cache where Task is keyed by id and each (user, filter) list is one
 * Relay connection that "load more" extends; queries and mutations over HTTP, taskEvents over SSE.
 */
export function createApolloClient({ config, token, status }: ClientOptions): ApolloClient {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const http = new HttpLink({ uri: config.apiUrl, headers });
  // No retries: the app notices the failure (banner), then resubscribes and refetches once the API answers again.
  const events = new ServerSentEventsLink(createSseClient({ url: config.apiUrl, headers, retryAttempts: 0 }));
  const transport = ApolloLink.split((operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION, events, http);
  const links: ApolloLink[] = [connectionStatusLink(status)];
  if (config.trustedDocuments) {
    // Never falls back to sending the text: the server would refuse it anyway.
    links.push(new PersistedQueryLink({ generateHash: documentHash, disable: () => false, retry: () => false }));
  }
  return new ApolloClient({
    link: ApolloLink.from([...links, transport]),
    cache: new InMemoryCache({
      typePolicies: { Query: { fields: { tasks: relayStylePagination(['userId', 'filter']) } } },
    }),
  });
}
