import type { GraphiQLOptions, YogaServerOptions } from 'graphql-yoga';

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

# Streams alice's task changes (Server-Sent Events); run it in a second tab, then write in the first.
subscription TaskEvents {
  taskEvents(userId: "alice") {
    type
    task { id title completed updatedAt }
  }
}
`;

// The bundled GraphiQL page is ~9 MB and its module costs ~70 MB of RSS: load it on the first page view, render once.
let graphiqlPage: Promise<string> | undefined;
const renderBundledGraphiQL = (options: GraphiQLOptions) =>
  (graphiqlPage ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options)));

/**
 * Yoga's GraphiQL options: the page is served from this server (no CDN, so it works offline) and opens with
 * example operations for creating, listing and following tasks.
 */
export function graphiqlOptions(enabled: boolean): Pick<YogaServerOptions<object, object>, 'graphiql' | 'renderGraphiQL'> {
  return {
    graphiql: enabled ? { title: 'taskgraph', defaultQuery: exampleOperations } : false,
    renderGraphiQL: renderBundledGraphiQL,
  };
}
