// The throughput limit without GraphQL or an ORM: node:http, pg and hand-written SQL answering the bench's
// list, deep-page, create and update requests with the same JSON the API returns. Written by hand on purpose:
// it is the yardstick, so it must not contain any of the layers being measured.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Task } from '../../src/generated/prisma/client.js';

/** The four columns the bench's requests read. */
export type TaskRow = Pick<Task, 'id' | 'title' | 'completed' | 'createdAt'>;

export type Query = (sql: string, params: unknown[]) => Promise<TaskRow[]>;

const columns = 'id, title, completed, "createdAt"';
const node = (row: TaskRow) => ({ id: row.id, title: row.title, completed: row.completed, createdAt: row.createdAt.toISOString() });
const page = (rows: TaskRow[]) => ({ tasks: { edges: rows.map((row) => ({ node: node(row) })) } });

function decodeAfter(cursor: string): [string, string] {
  const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Array.isArray(decoded) || decoded[0] !== 'CREATED_AT' || typeof decoded[1] !== 'string' || typeof decoded[2] !== 'string') {
    throw new Error('bad cursor');
  }
  return [decoded[1], decoded[2]];
}

/** The page reads, shared with the Yoga + pg floor (yoga-floor-server.ts) so both run the same SQL. */
export async function readTaskPage(query: Query, userId: string, after: string | undefined): Promise<TaskRow[]> {
  if (after === undefined) {
    return query(`SELECT ${columns} FROM "Task" WHERE "userId" = $1 ORDER BY "createdAt" DESC, id DESC LIMIT 20`, [userId]);
  }
  const [createdAt, id] = decodeAfter(after);
  return query(
    `SELECT ${columns} FROM "Task" WHERE "userId" = $1 AND ("createdAt", id) < ($2, $3)
     ORDER BY "createdAt" DESC, id DESC LIMIT 20`,
    [userId, createdAt, id],
  );
}

type Variables = Record<string, string | boolean>;
const text = (variables: Variables, name: string) => String(variables[name]);

export function createBaselineHandler(query: Query) {
  const operations: Record<string, (variables: Variables) => Promise<unknown>> = {
    List: async (variables) => page(await readTaskPage(query, text(variables, 'userId'), undefined)),
    DeepPage: async (variables) => page(await readTaskPage(query, text(variables, 'userId'), text(variables, 'after'))),
    Create: async (variables) => {
      const [row] = await query(
        `INSERT INTO "Task" (id, title, "userId", completed, "createdAt", "updatedAt")
         VALUES ($1, $2, $3, false, now(), now()) RETURNING ${columns}`,
        [uuidv7(), text(variables, 'title'), text(variables, 'userId')],
      );
      return { createTask: row ? node(row) : null };
    },
    Update: async (variables) => {
      const [row] = await query(
        `UPDATE "Task" SET completed = $3, "updatedAt" = now() WHERE id = $1 AND "userId" = $2 RETURNING ${columns}`,
        [text(variables, 'id'), text(variables, 'userId'), variables.completed === true],
      );
      return { updateTask: row ? node(row) : null };
    },
  };

  return async (request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      const json = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      response.end(json);
    };
    if (request.method === 'GET' && request.url === '/ready') return send(200, { ready: true });
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { operationName?: string; variables?: Variables };
      const operation = operations[body.operationName ?? ''];
      if (!operation) return send(400, { errors: [{ message: `unknown operation ${body.operationName}` }] });
      send(200, { data: await operation(body.variables ?? {}) });
    } catch (error) {
      send(500, { errors: [{ message: String(error) }] });
    }
  };
}

type Handler = (request: IncomingMessage, response: ServerResponse) => unknown;

/** Serves a handler over its own pg pool, sized like the API's, until SIGTERM. */
export function serveWithPool(createHandler: (query: Query) => Handler) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  const server = createServer(createHandler(async (sql, params) => (await pool.query<TaskRow>(sql, params)).rows));
  server.listen(Number(process.env.PORT ?? 4001), '127.0.0.1');
  const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) serveWithPool(createBaselineHandler);
