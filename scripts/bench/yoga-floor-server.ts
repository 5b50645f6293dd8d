// What GraphQL itself costs: graphql-yoga with graphql-jit and an SDL schema whose resolvers run the baseline's SQL
// through pg. No Pothos, no Prisma, no taskgraph plugins; Yoga's defaults otherwise. It answers the list and
// deep-page requests; with yoga-prisma-server.ts (the same server reading through Prisma) the bench splits
// taskgraph's distance from the baseline into GraphQL's share, Prisma's and the rest.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createSchema, createYoga } from 'graphql-yoga';
import { type Query, readTaskPage, serveWithPool, type TaskRow } from './baseline-server.js';

const typeDefs = /* GraphQL */ `
  type Task {
    id: ID!
    title: String!
    completed: Boolean!
    createdAt: String!
  }
  type TaskEdge {
    node: Task!
  }
  type TaskConnection {
    edges: [TaskEdge!]!
  }
  type Query {
    tasks(userId: ID!, first: Int, after: String): TaskConnection!
  }
`;

export type ReadTaskPage = (userId: string, after: string | undefined) => Promise<TaskRow[]>;

export function createYogaHandler(readPage: ReadTaskPage) {
  const yoga = createYoga({
    schema: createSchema({
      typeDefs,
      resolvers: {
        Query: {
          tasks: async (_root: unknown, args: { userId: string; after?: string | null }) => ({
            edges: (await readPage(args.userId, args.after ?? undefined)).map((node) => ({ node })),
          }),
        },
        Task: { createdAt: (task: { createdAt: Date }) => task.createdAt.toISOString() },
      },
    }),
    plugins: [useGraphQlJit()],
    logging: false,
    graphiql: false,
    landingPage: false,
  });
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url === '/ready') {
      response.end('{"ready":true}');
      return;
    }
    return yoga(request, response);
  };
  return Object.assign(handler, { yoga });
}

export const createYogaFloorHandler = (query: Query) =>
  createYogaHandler((userId, after) => readTaskPage(query, userId, after));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) serveWithPool(createYogaFloorHandler);
