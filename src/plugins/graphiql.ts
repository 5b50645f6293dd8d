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
const pageOptions = (request: Request): GraphiQLOptions => ({
  title: 'taskgraph',
  defaultQuery: exampleOperations,
  subscriptionsProtocol: new URL(request.url).searchParams.get('transport') === 'ws' ? 'WS' : 'SSE',
});

/**
 * Yoga's GraphiQL options: the page is served from this server (no CDN, so it works offline) and opens with
 * example operations for creating, listing and following tasks; `?transport=ws` subscribes over WebSocket.
 */
export function graphiqlOptions(enabled: boolean): Pick<YogaServerOptions<object, object>, 'graphiql' | 'renderGraphiQL'> {
  return {
    graphiql: enabled ? pageOptions : false,
    renderGraphiQL: renderBundledGraphiQL,
  };
}
