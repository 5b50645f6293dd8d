import { type DocumentNode, type ExecutionResult, type GraphQLError, getOperationAST, type OperationDefinitionNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../db.js';
import type { RedisConnections } from '../redis.js';

export const metricsEndpoint = '/metrics';

// The series below keep the names, help texts, labels (in the same order) and buckets that
// @graphql-yoga/plugin-prometheus 6 gave them, so that dashboards and alerts carry over; tests/api/metrics.test.ts
// pins them. Its quirks are kept too: a request that failed to parse counts under operationName="undefined".
interface OperationLabels {
  operationName: string;
  operationType: string;
}

interface HttpExchange {
  startedAt: number;
  /** Set once the document parsed: only GraphQL requests are timed. */
  operation?: OperationLabels;
}

const unparsed = { operationName: 'undefined', operationType: 'undefined' } as const;

function operationLabels(document: DocumentNode, operationName: string | undefined): OperationLabels {
  const first = document.definitions[0] as OperationDefinitionNode | undefined;
  return { operationName: operationName || first?.name?.value || 'Anonymous', operationType: String(first?.operation) };
}

function httpOperationLabels(document: DocumentNode, operationName: string | undefined): OperationLabels {
  const operation = getOperationAST(document, operationName);
  return { operationName: operation?.name?.value || 'Anonymous', operationType: operation?.operation || 'unknown' };
}

const secondsSince = (startedAt: number) => (performance.now() - startedAt) / 1000;

function operationParamsOf(context: unknown): string | undefined {
  const params = (context as { params?: { operationName?: string | null } }).params;
  return params?.operationName ?? undefined;
}

/** Operation and HTTP metrics with a handful of hooks per request: no per-phase timers, no per-field tracing. */
function useOperationMetrics(registry: Registry): Plugin {
  const httpDuration = new Histogram({
    name: 'graphql_yoga_http_duration',
    help: 'Time spent on HTTP connection',
    labelNames: ['operationName', 'operationType', 'method', 'statusCode'],
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'graphql_envelop_request_duration',
    help: 'Time spent on running the GraphQL operation from parse to execute',
    labelNames: ['operationType', 'operationName'],
    registers: [registry],
  });
  const errorResults = new Counter({
    name: 'graphql_envelop_error_result',
    help: 'Counts the amount of errors reported from all phases',
    labelNames: ['operationType', 'operationName', 'path', 'phase'],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'graphql_envelop_request',
    help: 'Counts the amount of GraphQL requests executed through Envelop',
    labelNames: ['operationType', 'operationName'],
    registers: [registry],
  });

  const exchanges = new WeakMap<Request, HttpExchange>();
  // Keyed by context: operations over WebSocket have one too, but no HTTP request of their own.
  const operations = new WeakMap<object, OperationLabels>();

  const countError = (labels: OperationLabels, phase: string, error?: GraphQLError) => {
    errorResults.inc(error?.path ? { ...labels, phase, path: error.path.join('.') } : { ...labels, phase });
  };
  const countErrors = (labels: OperationLabels, result: Pick<ExecutionResult, 'errors'>) => {
    for (const error of result.errors ?? []) countError(labels, 'execute', error);
  };
  const finish = (labels: OperationLabels, startedAt: number) => {
    requestDuration.observe(labels, secondsSince(startedAt));
    requests.inc(labels);
  };
  // Execution and subscription end alike: at once for a single result, when the stream ends otherwise.
  const onDone = (labels: OperationLabels, startedAt: number, result: unknown) => {
    if (isAsyncIterable(result)) {
      return {
        onNext: ({ result: next }: { result: Pick<ExecutionResult, 'errors'> }) => countErrors(labels, next),
        onEnd: () => finish(labels, startedAt),
      };
    }
    countErrors(labels, result as ExecutionResult);
    finish(labels, startedAt);
    return undefined;
  };

  return {
    onPluginInit({ registerContextErrorHandler }) {
      registerContextErrorHandler(({ context, error }) => {
        countError(operations.get(context) ?? unparsed, 'context', error as GraphQLError);
      });
    },
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (url.pathname === metricsEndpoint) {
        return registry.metrics().then((text) => {
          endResponse(new fetchAPI.Response(text, { headers: { 'content-type': registry.contentType } }));
        });
      }
      exchanges.set(request, { startedAt: performance.now() });
      return undefined;
    },
    onParse({ context }) {
      return ({ result, context: parsed }) => {
        if (result instanceof Error) return countError(unparsed, 'parse');
        if (result === null) return;
        const operationName = operationParamsOf(parsed);
        operations.set(context, operationLabels(result, operationName));
        const exchange = 'request' in parsed ? exchanges.get(parsed.request as Request) : undefined;
        if (exchange) exchange.operation = httpOperationLabels(result, operationName);
      };
    },
    onValidate({ context }) {
      const labels = operations.get(context);
      if (!labels) return undefined;
      return ({ valid }) => {
        if (!valid) countError(labels, 'validate');
      };
    },
    onExecute({ args }) {
      const labels = operations.get(args.contextValue as object);
      if (!labels) return undefined;
      const startedAt = performance.now();
      return { onExecuteDone: ({ result }) => onDone(labels, startedAt, result) };
    },
    onSubscribe({ args }) {
      const labels = operations.get(args.contextValue as object);
      if (!labels) return undefined;
      const startedAt = performance.now();
      return {
        onSubscribeResult: ({ result }) => onDone(labels, startedAt, result),
        // As the plugin did: a subscribe function that throws counts without a phase.
        onSubscribeError: () => errorResults.inc({ ...labels, phase: 'undefined' }),
      };
    },
    onResponse({ request, response }) {
      const exchange = exchanges.get(request);
      if (!exchange?.operation) return;
      const { operationType, operationName } = exchange.operation;
      httpDuration.observe(
        { method: request.method, statusCode: response.status, operationType, operationName },
        secondsSince(exchange.startedAt),
      );
    },
  };
}

/**
 * GET /metrics in Prometheus' text format: operations (count, duration, errors) by name and type, HTTP durations,
 * the PostgreSQL pool, Redis (when configured) and the process, and whatever other plugins register in `registry`.
 * Each Yoga gets its own registry, so several can live in one process.
 */
export function useMetrics(
  registry: Registry,
  db: Pick<Database, 'poolUsage'>,
  redis?: Pick<RedisConnections, 'isUp'>,
  openSockets?: () => number,
): Plugin {
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'taskgraph_db_pool_connections',
    help: 'PostgreSQL pool connections by state: total (open), idle, and waiting (requests queued for one).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const usage = db.poolUsage();
      if (!usage) return;
      this.set({ state: 'total' }, usage.total);
      this.set({ state: 'idle' }, usage.idle);
      this.set({ state: 'waiting' }, usage.waiting);
    },
  });
  if (redis) {
    new Gauge({
      name: 'taskgraph_redis_up',
      help: 'Whether both Redis connections (commands, subscriber) are established: 1, or 0 while rate limits count per instance and task events are refused.',
      registers: [registry],
      collect() {
        this.set(redis.isUp() ? 1 : 0);
      },
    });
  }
  if (openSockets) {
    new Gauge({
      name: 'taskgraph_websocket_connections',
      help: 'Open GraphQL over WebSocket (graphql-transport-ws) connections.',
      registers: [registry],
      collect() {
        this.set(openSockets());
      },
    });
  }
  return useOperationMetrics(registry);
}
