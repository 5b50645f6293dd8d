import { randomUUID } from 'node:crypto';
import { createYoga } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { type Access, createAccess } from './access.js';
import type { Config } from './config.js';
import { createContextFactory } from './context.js';
import type { Database } from './db.js';
import { maskErrors } from './errors.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { type Logger, yogaLogger } from './logger.js';
import { useBearerAuth, useSubjectBinding } from './plugins/auth.js';
import { useBodyLimit } from './plugins/body-limit.js';
import { corsPolicy, useVaryOnOrigin } from './plugins/cors.js';
import { useCsrfPrevention } from './plugins/csrf.js';
import { useUnexpectedErrorLogging } from './plugins/error-logging.js';
import { graphiqlOptions } from './plugins/graphiql.js';
import { useNoIntrospection } from './plugins/introspection.js';
import { useJitExceptSubscriptions } from './plugins/jit.js';
import { useMetrics } from './plugins/metrics.js';
import { useQueryLimits } from './plugins/query-limits.js';
import { useRootPointer } from './plugins/root-pointer.js';
import { useReadiness } from './plugins/readiness.js';
import { useRequestLogging } from './plugins/request-logging.js';
import { useRequestParseErrors } from './plugins/request-parse-errors.js';
import { useTaskResponseCache } from './plugins/response-cache.js';
import { createMemoryStore, createRedisStore } from './plugins/response-cache-store.js';
import { useNoSchemaSuggestions } from './plugins/schema-suggestions.js';
import { useTrustedDocuments } from './plugins/trusted-documents.js';
import { useVariableErrorCodes } from './plugins/variable-error-codes.js';
import type { RedisConnections } from './redis.js';
import { schema } from './schema/index.js';
import { createInProcessTaskEvents, type TaskPubSub } from './schema/task/events.js';

export interface YogaDependencies {
  db: Database;
  logger: Logger;
  config: Pick<Config, 'graphiql' | 'introspection' | 'limits' | 'rateLimit' | 'trustProxy' | 'auth' | 'metrics' | 'cors' | 'trustedDocuments' | 'responseCache'>;
  /** Where task events go; in-process (this instance only) when omitted. */
  pubsub?: TaskPubSub;
  /** Shared rate-limit counters, the response cache and the readiness report's Redis state, when REDIS_URL is set. */
  redis?: RedisConnections;
  /** `/ready` fails once `shuttingDown` is set; never shutting down when omitted. */
  lifecycle?: Readonly<Lifecycle>;
  /** Shared with the WebSocket transport (src/websocket.ts); made here when omitted. */
  access?: Access;
  /** Open WebSocket connections, for /metrics. */
  openSockets?: () => number;
}

/** The whole HTTP API as one fetch handler: Yoga with the schema, the per-request context and the plugins, in order. */
export function buildYoga({
  db,
  logger,
  config,
  pubsub = createInProcessTaskEvents().pubsub,
  lifecycle = createLifecycle(),
  redis,
  access = createAccess(config, redis),
  openSockets,
}: YogaDependencies) {
  const requestIds = new WeakMap<Request, string>();
  const { identities, rateLimit } = access;
  // /metrics serves it; plugins other than useMetrics register their own metrics in it.
  const registry = new Registry();
  const responseCache = config.responseCache;
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    cors: corsPolicy(config.cors),
    // Yoga's own limit (maxRequestBodySize, 25 MB by default) pipes every body through a TransformStream, also one
    // whose Content-Length is known (about 2% of the CPU of a request in the bench), and answers
    // REQUEST_ENTITY_TOO_LARGE. It is off: useBodyLimit enforces MAX_BODY_BYTES with this API's PAYLOAD_TOO_LARGE,
    // refuses a declared Content-Length unread, and counts only bodies of unknown length.
    maxRequestBodySize: false,
    batching: config.limits.batch > 0 ? { limit: config.limits.batch } : false,
    logging: yogaLogger(logger),
    maskedErrors: { isDev: false, maskError: maskErrors },
    ...graphiqlOptions(config.graphiql),
    context: createContextFactory(db.prisma, logger, (request) => requestIds.get(request) ?? randomUUID(), pubsub),
    plugins: [
      useJitExceptSubscriptions(),
      useRequestLogging(logger, requestIds),
      ...(config.cors ? [useVaryOnOrigin()] : []),
      useBodyLimit(config.limits.bodyBytes),
      useRequestParseErrors(),
      useCsrfPrevention(),
      ...(config.trustedDocuments ? [useTrustedDocuments(config.trustedDocuments)] : []),
      ...(rateLimit ? [rateLimit.byAddress] : []),
      ...(config.auth ? [useBearerAuth(config.auth, logger, identities)] : []),
      ...(rateLimit ? [rateLimit.bySubject] : []),
      ...(config.auth ? [useSubjectBinding()] : []),
      useQueryLimits(config.limits),
      // After the bearer check and the trusted documents (params phase); its lookup runs the subject binding itself.
      ...(responseCache
        ? [
            useTaskResponseCache({
              ...responseCache,
              schema,
              store: redis ? createRedisStore(redis.commands, logger) : createMemoryStore(responseCache.maxBytes),
              identities: config.auth ? identities : null,
              maxTokens: config.limits.tokens,
              registry,
            }),
          ]
        : []),
      ...(config.introspection ? [] : [useNoIntrospection(), useNoSchemaSuggestions()]),
      config.metrics ? useMetrics(registry, db, redis, openSockets) : {},
      useVariableErrorCodes(),
      useReadiness(db, redis, logger, lifecycle),
      useRootPointer('/graphql'),
      useUnexpectedErrorLogging(logger, requestIds),
    ],
  });
}

export type Yoga = ReturnType<typeof buildYoga>;
