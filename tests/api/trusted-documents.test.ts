import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-sse';
import { describe, expect, it } from 'vitest';
import { createApolloClient } from '../../examples/client/src/apollo.js';
import { AddTaskDocument, FollowTasksDocument, TaskListDocument } from '../../examples/client/src/gql/graphql.js';
import { documentHash } from '../../examples/client/src/trusted-documents.js';
import { createUrqlClient } from '../../examples/client/src/urql.js';
import { loadConfig } from '../../src/config.js';
import { trustedDocumentText } from '../../src/plugins/trusted-documents.js';
import { testGraphqlUrl, uniqueUserId, useTestApi } from '../support/api.js';
import { useRealServer } from '../support/http-server.js';
import { expectErrorCode } from '../support/operations.js';
import { collectTaskEvents, untilLive } from '../support/task-events.js';
import { errorCodeOf, runOverWebSocket, webSocketClient } from '../support/websocket.js';

const manifestPath = 'examples/client/src/gql/persisted-documents.json';
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;

const api = useTestApi({ env: { TRUSTED_DOCUMENTS: manifestPath } });
const server = useRealServer(api);
const serverUrl = () => server().url;

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

const persistedQuery = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const addTaskHash = documentHash(AddTaskDocument);
const taskListHash = documentHash(TaskListDocument);
const unknownHash = 'f'.repeat(64);

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function post(body: Record<string, unknown>): Promise<Answer> {
  const response = await api().fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  return answerOf(response);
}

async function get(params: Record<string, unknown>): Promise<Answer> {
  const search = new URLSearchParams(
    Object.entries(params).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
  const response = await api().fetch(`/graphql?${search}`, {
    headers: { accept: 'application/graphql-response+json' },
  });
  return answerOf(response);
}


describe('with TRUSTED_DOCUMENTS, a document in the manifest sent by hash', () => {
  it('runs over POST with extensions.persistedQuery.sha256Hash', async () => {
    const userId = uniqueUserId('trusted');
    const answer = await post({ extensions: persistedQuery(addTaskHash), variables: { userId, input: { title: 'By hash' } } });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ createTask: { __typename: 'Task', title: 'By hash', completed: false } });
  });

  it('runs over GET with extensions.persistedQuery.sha256Hash', async () => {
    const userId = uniqueUserId('trusted');
    await post({ extensions: persistedQuery(addTaskHash), variables: { userId, input: { title: 'Listed by GET' } } });
    const answer = await get({ extensions: persistedQuery(taskListHash), variables: { userId, first: 5 } });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ tasks: { totalCount: 1, edges: [{ node: { title: 'Listed by GET' } }] } });
  });

  it('runs over POST and GET with the documentId of the trusted documents proposal (sha256:<hash>)', async () => {
    const userId = uniqueUserId('trusted');
    const created = await post({ documentId: `sha256:${addTaskHash}`, variables: { userId, input: { title: 'By documentId' } } });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ createTask: { title: 'By documentId' } });
    const listed = await get({ documentId: `sha256:${taskListHash}`, variables: { userId } });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toMatchObject({ tasks: { totalCount: 1 } });
  });

  it('streams over SSE (taskEvents), sent by hash', async () => {
    const userId = uniqueUserId('trusted');
    const client = createClient({ url: `${serverUrl()}/graphql`, retryAttempts: 0 });
    const events: unknown[] = [];
    const errors: unknown[] = [];
    // graphql-sse's types want a query; the hash replaces it, and JSON drops the undefined.
    const dispose = client.subscribe(
      { query: undefined as unknown as string, variables: { userId }, extensions: persistedQuery(documentHash(FollowTasksDocument)) },
      { next: (result) => void (result.data ? events.push(result.data) : errors.push(...(result.errors ?? []))), error: (error) => void errors.push(error), complete: () => undefined },
    );
    try {
      await expect
        .poll(
          async () => {
            await post({ extensions: persistedQuery(addTaskHash), variables: { userId, input: { title: 'Seen live' } } });
            return events.length;
          },
          { timeout: 15_000, interval: 300 },
        )
        .toBeGreaterThan(0);
      expect(errors).toEqual([]);
      expect(events[0]).toMatchObject({ taskEvents: { type: 'CREATED', task: { title: 'Seen live' } } });
    } finally {
      dispose();
      client.dispose();
    }
  });
});

describe('with TRUSTED_DOCUMENTS, anything else is refused with 400 before parsing', () => {
  it('refuses a hash missing from the manifest over POST and GET (PERSISTED_QUERY_NOT_IN_LIST)', async () => {
    const viaPost = await post({ extensions: persistedQuery(unknownHash), variables: { userId: 'alice' } });
    const viaGet = await get({ extensions: persistedQuery(unknownHash), variables: { userId: 'alice' } });
    for (const answer of [viaPost, viaGet]) {
      expect(answer.status).toBe(400);
      expectErrorCode(answer.body, 'PERSISTED_QUERY_NOT_IN_LIST');
      expect(answer.body.data).toBeUndefined();
    }
  });

  it('refuses document text, even the text of a trusted document, over POST and GET (PERSISTED_QUERY_ID_REQUIRED)', async () => {
    const trustedText = manifest[`sha256:${taskListHash}`];
    expect(trustedText).toBeDefined();
    const viaPost = await post({ query: trustedText, variables: { userId: 'alice' } });
    const viaGet = await get({ query: trustedText, variables: { userId: 'alice' } });
    for (const answer of [viaPost, viaGet]) {
      expect(answer.status).toBe(400);
      expectErrorCode(answer.body, 'PERSISTED_QUERY_ID_REQUIRED');
      expect(answer.body.errors?.[0]?.message).toMatch(/only trusted documents/);
    }
  });

  it('refuses text that is not even GraphQL with the same code: it is never parsed', async () => {
    const answer = await post({ query: '{ this is not GraphQL' });
    expect(answer.status).toBe(400);
    expectErrorCode(answer.body, 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('refuses text sent together with a trusted hash (no automatic persisted queries)', async () => {
    const answer = await post({ query: '{ __typename }', extensions: persistedQuery(taskListHash), variables: { userId: 'alice' } });
    expect(answer.status).toBe(400);
    expectErrorCode(answer.body, 'PERSISTED_QUERY_ID_REQUIRED');
  });

  it('refuses a request with neither a document nor a hash (PERSISTED_QUERY_ID_REQUIRED)', async () => {
    const answer = await post({ variables: { userId: 'alice' } });
    expect(answer.status).toBe(400);
    expectErrorCode(answer.body, 'PERSISTED_QUERY_ID_REQUIRED');
  });
});

describe("with TRUSTED_DOCUMENTS, a transport that runs Yoga's envelop itself (as the WebSocket transport does)", () => {
  const documents = loadConfig({ TRUSTED_DOCUMENTS: manifestPath }).trustedDocuments ?? new Map<string, string>();
  const request = new Request(testGraphqlUrl, { method: 'POST' });
  const envelopeFor = (params: Record<string, unknown>) => api().yoga.getEnveloped({ request, params });

  it('cannot parse document text: the refusal comes before parsing', () => {
    const envelope = envelopeFor({ query: '{ __typename }' });
    expect(() => envelope.parse('{ __typename }')).toThrow(/only trusted documents/);
  });

  it('parses the trusted document a hash names, through trustedDocumentText', () => {
    const params = { extensions: persistedQuery(taskListHash), variables: { userId: 'alice' } };
    const text = trustedDocumentText(documents, params, request);
    expect(envelopeFor(params).parse(text)).toMatchObject({ kind: 'Document' });
  });

  it('gets the HTTP refusals from trustedDocumentText for text and unknown hashes', () => {
    expect(() => trustedDocumentText(documents, { query: '{ __typename }' }, request)).toThrow(/only trusted documents/);
    expect(() => trustedDocumentText(documents, { extensions: persistedQuery(unknownHash) }, request)).toThrow(/No trusted document has this hash/);
  });
});

describe('with TRUSTED_DOCUMENTS, over a real WebSocket (graphql-transport-ws)', () => {
  it('runs a mutation and a query named by hash, and streams taskEvents by hash', async () => {
    const userId = uniqueUserId();
    const client = webSocketClient(server().wsUrl);
    const addTask = async (title: string) => {
      const added = await runOverWebSocket(client, '', { userId, input: { title } }, { extensions: persistedQuery(addTaskHash) });
      expect(added.results[0]?.errors).toBeUndefined();
    };
    const stream = collectTaskEvents((sink) =>
      client.subscribe({ query: '', variables: { userId }, extensions: persistedQuery(documentHash(FollowTasksDocument)) }, sink),
    );
    try {
      await untilLive(stream, addTask);
      await addTask('by hash over a socket');
      await stream.waitFor((event) => event.task.title === 'by hash over a socket');
      const listed = await runOverWebSocket(client, '', { userId, first: 50 }, { extensions: persistedQuery(taskListHash) });
      expect(JSON.stringify(listed.results[0]?.data)).toContain('by hash over a socket');
    } finally {
      stream.close();
      await client.dispose();
    }
  });

  it('refuses document text (even a trusted one) and unknown hashes with the HTTP codes', async () => {
    const client = webSocketClient(server().wsUrl);
    try {
      expect(errorCodeOf(await runOverWebSocket(client, '{ __typename }'))).toBe('PERSISTED_QUERY_ID_REQUIRED');
      const trustedText = manifest[`sha256:${taskListHash}`] ?? '';
      expect(errorCodeOf(await runOverWebSocket(client, trustedText, { userId: 'alice' }))).toBe('PERSISTED_QUERY_ID_REQUIRED');
      expect(errorCodeOf(await runOverWebSocket(client, '', {}, { extensions: persistedQuery(unknownHash) }))).toBe(
        'PERSISTED_QUERY_NOT_IN_LIST',
      );
    } finally {
      await client.dispose();
    }
  });
});

describe('GraphiQL with TRUSTED_DOCUMENTS', () => {
  it('still serves the page, but refuses what it sends (its introspection and operations are text)', async () => {
    const page = await api().fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>taskgraph</title>');
    const introspection = await post({ query: '{ __schema { queryType { name } } }', operationName: 'IntrospectionQuery' });
    expect(introspection.status).toBe(400);
    expectErrorCode(introspection.body, 'PERSISTED_QUERY_ID_REQUIRED');
  });
});

describe('the example clients against a server that runs only trusted documents', () => {
  it('Apollo Client sends hashes and gets its answers', async () => {
    const client = createApolloClient(`${serverUrl()}/graphql`, { trustedDocuments: true });
    const userId = uniqueUserId('apollo-trusted');
    const created = await client.mutate({ mutation: AddTaskDocument, variables: { userId, input: { title: 'From Apollo' } } });
    expect(created.data?.createTask.title).toBe('From Apollo');
    const listed = await client.query({ query: TaskListDocument, variables: { userId } });
    expect(listed.data?.tasks.edges.map((edge) => edge.node.title)).toEqual(['From Apollo']);
  });

  it('urql sends hashes and gets its answers', async () => {
    const client = createUrqlClient(`${serverUrl()}/graphql`, { trustedDocuments: true });
    const userId = uniqueUserId('urql-trusted');
    const created = await client.mutation(AddTaskDocument, { userId, input: { title: 'From urql' } }).toPromise();
    expect(created.error).toBeUndefined();
    expect(created.data?.createTask.title).toBe('From urql');
    const listed = await client.query(TaskListDocument, { userId }, { requestPolicy: 'network-only' }).toPromise();
    expect(listed.data?.tasks.edges.map((edge) => edge.node.title)).toEqual(['From urql']);
  });

  it('Apollo Client without trusted documents sends text and is refused', async () => {
    const client = createApolloClient(`${serverUrl()}/graphql`);
    await expect(client.query({ query: TaskListDocument, variables: { userId: 'alice' } })).rejects.toThrow(/only trusted documents/);
  });
});

// Configuration does not depend on the database: these run on each project but cost nothing.
describe('TRUSTED_DOCUMENTS configuration', () => {
  it('names a file that does not exist: the server refuses to start, naming it', () => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: 'missing/persisted-documents.json' })).toThrow(
      /TRUSTED_DOCUMENTS: "missing\/persisted-documents.json" is not a readable JSON file/,
    );
  });

  it('names a manifest whose hash does not match its document: the server refuses to start', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(await mkdtemp(join(tmpdir(), 'taskgraph-manifest-')), 'tampered.json');
    await writeFile(path, JSON.stringify({ [`sha256:${taskListHash}`]: '{ __schema { types { name } } }' }));
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: path })).toThrow(/which is not the SHA-256 hash of its document/);
  });

  it("takes several manifests, comma-separated: the example client's and the web app's", () => {
    const webManifestPath = 'examples/web/src/gql/persisted-documents.json';
    const webManifest = JSON.parse(readFileSync(webManifestPath, 'utf8')) as Record<string, string>;
    const config = loadConfig({ TRUSTED_DOCUMENTS: `${manifestPath}, ${webManifestPath}` });
    const hashes = new Set([...Object.keys(manifest), ...Object.keys(webManifest)].map((key) => key.replace(/^sha256:/, '')));
    expect(new Set(config.trustedDocuments?.keys())).toEqual(hashes);
  });

  it('unset: any document runs, as before', () => {
    expect(loadConfig({}).trustedDocuments).toBeNull();
  });
});
