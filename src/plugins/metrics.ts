import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';
import type { Database } from '../db.js';
import type { RedisConnections } from '../redis.js';

export const metricsEndpoint = '/metrics';

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
  return usePrometheus({
    registry,
    endpoint: metricsEndpoint,
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_envelop_error_result: true,
      graphql_yoga_http_duration: true,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
    },
    // Full URLs (GET queries carry the whole document) would make a time series per distinct request.
    labels: { url: false },
  });
}
