import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { type DatabaseConfig, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { buildYoga } from '../../src/yoga.js';
import { createYogaPrismaHandler } from './yoga-prisma-server.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Query } from './baseline-server.js';
import type { GraphQLBody, Scenario, ScenarioName } from './scenarios.js';

export const statementCountSource =
  "SQL/req is counted, not estimated: in-process on the same seeded database, over the scenario's own random requests; " +
  "for taskgraph and Yoga + Prisma with Prisma's query event (src/db.ts onQuery), for the baseline and Yoga + pg by wrapping pg's query(). " +
  'pg_stat_statements would need shared_preload_libraries and a server restart, so it is not used.';

async function expectData(response: Response, body: GraphQLBody) {
  const text = await response.text();
  if (!response.ok || text.includes('"errors"')) {
    throw new Error(`${body.operationName} ${JSON.stringify(body.variables)} answered ${response.status}: ${text.slice(0, 500)}`);
  }
}

type Fetch = (url: string, init: RequestInit) => Promise<Response> | Response;

/** Sends each scenario's own random requests and divides the statements the counter saw by the requests sent. */
async function averageStatements(
  scenarios: Scenario[],
  samples: number,
  counter: { statements: number },
  fetch: Fetch,
  origin: string,
): Promise<Partial<Record<ScenarioName, number>>> {
  const counts: Partial<Record<ScenarioName, number>> = {};
  for (const scenario of scenarios) {
    counter.statements = 0;
    for (let index = 0; index < samples; index += 1) {
      const body = scenario.next();
      const response = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await expectData(response, body);
    }
    counts[scenario.name] = counter.statements / samples;
  }
  return counts;
}

/**
 * Average statements per request for each scenario, counted by a Prisma client's query event: through the real
 * Yoga app, or with `server: 'Yoga + Prisma'` through that floor.
 */
export async function countAppStatements(
  database: DatabaseConfig,
  scenarios: Scenario[],
  samples: number,
  server: 'taskgraph' | 'Yoga + Prisma' = 'taskgraph',
): Promise<Partial<Record<ScenarioName, number>>> {
  const counter = { statements: 0 };
  const logger = pino({ level: 'silent' });
  const db = await openDatabase(database, { logger, onQuery: () => (counter.statements += 1) });
  const yoga =
    server === 'taskgraph'
      ? buildYoga({ db, logger, config: loadConfig({ GRAPHIQL: 'false' }) })
      : createYogaPrismaHandler(db.prisma).yoga;
  try {
    return await averageStatements(scenarios, samples, counter, (url, init) => yoga.fetch(url, init), 'http://bench.local');
  } finally {
    await yoga.dispose();
    await db.close();
  }
}

/** Average statements per request of a reference server (baseline or Yoga + pg), served in-process over HTTP. */
export async function countReferenceStatements(
  url: string,
  createHandler: (query: Query) => (request: IncomingMessage, response: ServerResponse) => unknown,
  scenarios: Scenario[],
  samples: number,
): Promise<Partial<Record<ScenarioName, number>>> {
  const counter = { statements: 0 };
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const server = createServer(
    createHandler(async (sql, params) => {
      counter.statements += 1;
      return (await pool.query(sql, params)).rows;
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await averageStatements(scenarios, samples, counter, fetch, `http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.end();
  }
}
