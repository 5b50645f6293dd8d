import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import { testDatabaseKind } from '../support/databases.js';
import { createTaskMutation, errorCodes, taskQuery } from '../support/operations.js';

// CI runs a few seconds' worth; FUZZ_RUNS=20000 npx vitest run tests/api/fuzz.test.ts for a long run.
const fuzzRuns = (ciDefault: number) => Number(process.env.FUZZ_RUNS) || ciDefault;
const fuzzTimeout = Number(process.env.FUZZ_RUNS) ? 3_600_000 : 60_000;

const api = useTestApi();
const internals = /prisma|postgres|\bsql\b|stack|\bat \S+ \(|node_modules|Unexpected error|INTERNAL_SERVER_ERROR/i;

/** The invariants every answer keeps, whatever was sent. */
async function expectSafeAnswer(response: Response) {
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBeLessThan(500);
  expect(text.slice(0, 2000)).not.toMatch(internals);
  return text;
}

const awkwardText = fc.constantFrom(
  '😀',
  '👩‍💻',
  '🇺🇳',
  'e\u0301',
  'a\u0308\u0323',
  '\u202Eevil\u202C',
  'שלום',
  'مرحبا',
  '\u0000',
  '\uD800',
  '\uDC00',
  '\uFEFF',
  '\u200B',
  '\u00A0',
  ' ',
  '\t\n',
  '%_\\',
  "'; DROP TABLE \"Task\"; --",
  '\uFFFF',
  '𝕏',
);
const unicodeText = (maxLength: number) =>
  fc
    .array(fc.oneof(awkwardText, fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 })), {
      maxLength,
    })
    .map((parts) => parts.join(''));

const deepJson = fc.integer({ min: 1, max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
const hugeString = fc.integer({ min: 10_000, max: 400_000 }).map((length) => JSON.stringify({ query: `{ __typename }`, variables: { x: 'y'.repeat(length) } }));
const deepDocument = fc.integer({ min: 1, max: 5000 }).map((depth) => JSON.stringify({ query: `${'{ a '.repeat(depth)}${'}'.repeat(depth)}` }));
const graphqlBody = fc.record(
  {
    query: fc.oneof(fc.string(), fc.constantFrom(createTaskMutation, taskQuery, '{ __typename }', 'query { tasks(userId: "u") { totalCount } }'), fc.anything()),
    variables: fc.oneof(fc.object(), fc.anything()),
    operationName: fc.oneof(fc.string(), fc.anything()),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  graphqlBody.map((value) => JSON.stringify(value) ?? ''),
  deepJson,
  deepDocument,
  hugeString,
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/graphql-response+json',
  'application/graphql',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'image/png',
  '',
);
const accept = fc.constantFrom('application/json', 'application/graphql-response+json', '*/*', 'text/html', 'text/event-stream', '');

describe('bad input in bulk', () => {
  it(
    'malformed HTTP requests never get a 5xx or internals',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE'),
          contentType,
          accept,
          body,
          fc.boolean(),
          async (method, type, acceptHeader, payload, csrf) => {
            const headers: Record<string, string> = {};
            if (type) headers['content-type'] = type;
            if (acceptHeader) headers.accept = acceptHeader;
            if (csrf) headers['x-graphql-yoga-csrf'] = '1';
            const path = method === 'GET' ? `/graphql?query=${encodeURIComponent(payload.slice(0, 4000))}` : '/graphql';
            const response = await api().fetch(path, { method, headers, body: method === 'GET' ? undefined : payload });
            await expectSafeAnswer(response);
          },
        ),
        { numRuns: fuzzRuns(400) },
      );
    },
    fuzzTimeout,
  );

  it(
    'arguments of any type and content never get a 5xx or internals',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(createTaskMutation, taskQuery, 'query ($id: ID!) { user(id: $id) { id taskCount } }'),
          fc.record({ userId: fc.oneof(unicodeText(20), fc.anything()), id: fc.oneof(unicodeText(5), fc.uuid(), fc.anything()), input: fc.oneof(fc.record({ title: fc.oneof(unicodeText(30), fc.anything()), description: fc.oneof(unicodeText(30), fc.anything()), completed: fc.anything() }, { requiredKeys: [] }), fc.anything()) }, { requiredKeys: [] }),
          async (query, variables) => {
            const response = await api().fetch('/graphql', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ query, variables }),
            });
            const text = await expectSafeAnswer(response);
            const errors = (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors ?? [];
            for (const error of errors) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
          },
        ),
        { numRuns: fuzzRuns(200) },
      );
    },
    fuzzTimeout,
  );

  it(
    'valid titles and descriptions round-trip exactly; invalid ones are refused with BAD_USER_INPUT',
    async () => {
      const codePoints = (text: string) => [...text].length;
      await fc.assert(
        fc.asyncProperty(unicodeText(12), fc.option(unicodeText(12), { nil: undefined }), async (title, description) => {
          fc.pre(!(testDatabaseKind === 'pglite' && description?.startsWith('\uFEFF'))); // see the test below
          const userId = uniqueUserId('fuzz');
          const created = await api().graphql<{ createTask: { id: string; title: string; description: string | null } }>(
            createTaskMutation,
            { userId, input: { title, description } },
          );
          const trimmed = title.trim();
          const storable = (text: string) => !text.includes('\u0000') && text.isWellFormed();
          const valid =
            storable(trimmed) && codePoints(trimmed) >= 1 && codePoints(trimmed) <= 500 && (description === undefined || storable(description));
          if (!valid) {
            expect(errorCodes(created)).toEqual(['BAD_USER_INPUT']);
            return;
          }
          expect(created.errors).toBeUndefined();
          const id = created.data?.createTask.id;
          const read = await api().graphql<{ task: { title: string; description: string | null } }>(taskQuery, { userId, id });
          expect(read.data?.task.title).toBe(trimmed);
          expect(read.data?.task.description).toBe(description ?? null);
        }),
        { numRuns: fuzzRuns(80) },
      );
    },
    fuzzTimeout,
  );

  // PGlite 0.5.16 decodes each text value it returns with a default TextDecoder, which drops a leading U+FEFF
  // (the stored value is intact: length() counts it). PostgreSQL returns it. Found by the property above.
  const roundTripsLeadingBom = async () => {
    const userId = uniqueUserId('bom');
    const created = await api().graphql<{ createTask: { id: string } }>(createTaskMutation, {
      userId,
      input: { title: 'bom', description: '\uFEFFnotes' },
    });
    const read = await api().graphql<{ task: { description: string } }>(taskQuery, { userId, id: created.data?.createTask.id });
    expect(read.data?.task.description).toBe('\uFEFFnotes');
  };
  it.runIf(testDatabaseKind === 'postgres')('a description starting with U+FEFF round-trips', roundTripsLeadingBom);
  it.runIf(testDatabaseKind === 'pglite').fails('a description starting with U+FEFF loses it on PGlite (known PGlite bug)', roundTripsLeadingBom);

  it('the server still answers afterwards', async () => {
    const response = await api().graphql('{ __typename }');
    expect(response.data).toEqual({ __typename: 'Query' });
  });
});
