import { randomUUID } from 'node:crypto';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { type DocumentNode, GraphQLError, Kind } from 'graphql';
import { createYoga, type GraphiQLOptions, type Plugin, useErrorHandler, useReadinessCheck, type YogaLogger } from 'graphql-yoga';
import { type Access, createAccess } from './access.js';
import type { Config } from './config.js';
import { createContextFactory } from './context.js';
import { maskDatabaseErrors } from './database-errors.js';
import { ErrorCode } from './errors.js';
import type { Database } from './db.js';
import type { Logger } from './logger.js';
import { useBearerAuth, useSubjectBinding } from './plugins/auth.js';
import { useBodyLimit } from './plugins/body-limit.js';
import { useCsrfPrevention } from './plugins/csrf.js';
import { useNoIntrospection } from './plugins/introspection.js';
import { useQueryLimits } from './plugins/query-limits.js';
import { useMetrics } from './plugins/metrics.js';
import { schema } from './schema/index.js';
import { createInProcessTaskEvents, type TaskPubSub } from './task-events.js';

export interface YogaDependencies {
  db: Database;
  logger: Logger;
  config: Pick<Config, 'graphiql' | 'introspection' | 'limits' | 'rateLimit' | 'trustProxy' | 'auth' | 'metrics'>;
  /** Where task events go; in-process (this instance only) when omitted. */
  pubsub?: TaskPubSub;
  /** Shared with the WebSocket transport (src/websocket.ts); made here when omitted. */
  access?: Access;
  /** Open WebSocket connections, for /metrics. */
  openSockets?: () => number;
}

const requestIdHeader = 'x-request-id';
const acceptableRequestId = /^[\w.:-]{1,128}$/;

/** Gives each request an id (the caller's x-request-id when it is sane), echoes it, and logs the request. */
function useRequestLogging(logger: Logger, requestIds: WeakMap<Request, string>): Plugin {
  const startedAt = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      const offered = request.headers.get(requestIdHeader);
      requestIds.set(request, offered && acceptableRequestId.test(offered) ? offered : randomUUID());
      startedAt.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const requestId = requestIds.get(request);
      if (requestId) response.headers.set(requestIdHeader, requestId);
      if (logger.isLevelEnabled('info')) {
        const started = startedAt.get(request);
        logger.info(
          {
            requestId,
            method: request.method,
            path: new URL(request.url).pathname,
            status: response.status,
            durationMs: started === undefined ? undefined : Math.round((performance.now() - started) * 10) / 10,
          },
          'request completed',
        );
      }
    },
  };
}

/**
 * Variables that fail coercion (a string for an Int, a missing non-null variable) come back as request errors
 * without a code, from graphql-js or graphql-jit (whose errors are plain objects); give them the code every other
 * bad input carries, and the HTTP 400 of a request error.
 */
function useVariableErrorCodes(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors || 'data' in result) return;
          setResult({
            ...result,
            errors: result.errors.map((error) => {
              const extensions: Record<string, unknown> = error.extensions ?? {};
              if (extensions.code) return error;
              return new GraphQLError(error.message, {
                nodes: error.nodes,
                source: error.source,
                positions: error.positions ?? undefined,
                extensions: { ...extensions, code: ErrorCode.BadUserInput, http: { status: 400, spec: true } },
              });
            }),
          });
        },
      };
    },
  };
}

function isSubscription(document: DocumentNode): boolean {
  return document.definitions.some(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription',
  );
}

// In the execution phase Envelop passes the execution args, whose contextValue is our context.
function requestOf(contextOrArgs: unknown): Request | undefined {
  const context =
    typeof contextOrArgs === 'object' && contextOrArgs !== null && 'contextValue' in contextOrArgs
      ? contextOrArgs.contextValue
      : contextOrArgs;
  return typeof context === 'object' && context !== null && 'request' in context
    ? (context.request as Request)
    : undefined;
}

function isExpected(error: unknown): boolean {
  return error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError);
}

function yogaLogger(logger: Logger): YogaLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      // Errors from execution are logged by the error handler below, with the request id.
      if (level === 'error' && first instanceof GraphQLError) return;
      if (first instanceof Error) logger[level]({ err: first }, rest.map(String).join(' '));
      else logger[level](args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}

const exampleOperations = `# Welcome to taskgraph. Run an operation with the ▶ button; the Docs pane documents every field.

mutation CreateTask {
  createTask(userId: "alice", input: { title: "Write the release notes" }) {
    id
    title
    completed
    createdAt
  }
}

query ListTasks {
  tasks(userId: "alice", first: 10) {
    totalCount
    edges { cursor node { id title completed } }
    pageInfo { hasNextPage endCursor }
  }
}

# Streams alice's task changes (Server-Sent Events; open /graphql?transport=ws for WebSocket);
# run it in a second tab, then write in the first.
subscription TaskEvents {
  taskEvents(userId: "alice") {
    type
    task { id title completed updatedAt }
  }
}
`;

// The bundled GraphiQL page is ~9 MB and its module costs ~70 MB of RSS: load it on the first page view, render once
// per subscription transport.
const graphiqlPages = new Map<string, Promise<string>>();
const renderBundledGraphiQL = (options: GraphiQLOptions) => {
  const transport = options.subscriptionsProtocol ?? 'SSE';
  let page = graphiqlPages.get(transport);
  if (!page) {
    page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
    graphiqlPages.set(transport, page);
  }
  return page;
};

/** GraphiQL subscribes over SSE, or over WebSocket when opened as /graphql?transport=ws. */
const graphiqlOptions = (request: Request): GraphiQLOptions => ({
  title: 'taskgraph',
  defaultQuery: exampleOperations,
  subscriptionsProtocol: new URL(request.url).searchParams.get('transport') === 'ws' ? 'WS' : 'SSE',
});

export function buildYoga({
  db,
  logger,
  config,
  pubsub = createInProcessTaskEvents().pubsub,
  access = createAccess(config),
  openSockets,
}: YogaDependencies) {
  const requestIds = new WeakMap<Request, string>();
  const { subjects, rateLimit } = access;
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // useBodyLimit enforces BODY_LIMIT_BYTES without Yoga's per-request stream wrapping of every body.
    maxRequestBodySize: false,
    batching: config.limits.batch > 0 ? { limit: config.limits.batch } : false,
    logging: yogaLogger(logger),
    maskedErrors: { isDev: false, maskError: maskDatabaseErrors },
    graphiql: config.graphiql ? graphiqlOptions : false,
    renderGraphiQL: renderBundledGraphiQL,
    context: createContextFactory(db.prisma, logger, (request) => requestIds.get(request) ?? randomUUID(), pubsub),
    plugins: [
      // graphql-jit leaves a subscription whose arguments fail validation hanging: subscriptions run on graphql-js.
      useGraphQlJit({}, { enableIf: ({ document }) => !isSubscription(document) }),
      useRequestLogging(logger, requestIds),
      useBodyLimit(config.limits.bodyBytes),
      useCsrfPrevention(),
      ...(rateLimit ? [rateLimit.byAddress] : []),
      ...(config.auth ? [useBearerAuth(config.auth, logger, subjects)] : []),
      ...(rateLimit ? [rateLimit.bySubject] : []),
      ...(config.auth ? [useSubjectBinding(subjects, requestOf)] : []),
      useQueryLimits(config.limits),
      ...(config.introspection ? [] : [useNoIntrospection()]),
      config.metrics ? useMetrics(db, openSockets) : {},
      useVariableErrorCodes(),
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          try {
            await db.ping();
            return true;
          } catch (error) {
            logger.warn({ err: error }, 'readiness check failed: database unreachable');
            return false;
          }
        },
      }),
      useErrorHandler(({ errors, context }) => {
        const request = requestOf(context);
        const requestId = request ? requestIds.get(request) : undefined;
        for (const error of errors) {
          if (isExpected(error)) continue;
          const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error;
          logger.error({ err: cause, requestId, path: error instanceof GraphQLError ? error.path : undefined }, 'unexpected error');
        }
      }),
    ],
  });
}

export type Yoga = ReturnType<typeof buildYoga>;
