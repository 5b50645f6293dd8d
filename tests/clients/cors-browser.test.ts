import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, uniqueUserId } from '../support/api.js';
import { testDatabaseKind } from '../support/databases.js';
import { listen, type ListeningServer } from '../support/http-server.js';
import { tasksQuery } from '../support/operations.js';

// Same Chromium as tests/clients/graphiql-browser.test.ts (which warns when it is missing): what a real browser does with
// the CORS headers is the point here, yoga.fetch cannot show it.
const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];

/** A blank page on its own origin (another loopback port), where the browser runs the cross-origin fetches. */
async function servePage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface PageOutcome {
  ok: boolean;
  requestId?: string | null;
  body?: unknown;
  failure?: string;
}

/** Runs fetch in the page, as the page's own script would, with a JSON body and a bearer header (so: a preflight). */
function fetchFromPage(page: Page, url: string, body: unknown): Promise<PageOutcome> {
  return page.evaluate(
    async ({ url, body }) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer not-checked', 'x-request-id': 'from-the-page' },
          body: JSON.stringify(body),
        });
        return { ok: true, requestId: response.headers.get('x-request-id'), body: await response.json() };
      } catch (error) {
        return { ok: false, failure: String(error) };
      }
    },
    { url, body },
  );
}

describe.runIf(existsSync(chromiumPath) && testDatabaseKind === 'pglite')('CORS in headless Chromium', () => {
  let allowedPage: { server: Server; origin: string } | undefined;
  let foreignPage: { server: Server; origin: string } | undefined;
  let api: TestApi | undefined;
  let server: ListeningServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    allowedPage = await servePage();
    foreignPage = await servePage();
    api = await startTestApi({ env: { CORS_ORIGINS: allowedPage.origin } });
    server = await listen(api.yoga);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, timeout: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await api?.dispose();
    for (const page of [allowedPage, foreignPage]) await new Promise((resolve) => page?.server.close(resolve));
  });

  async function openPage(origin: string): Promise<Page> {
    if (!browser) throw new Error('the browser is not up');
    const page = await (await browser.newContext()).newPage();
    await page.goto(origin);
    return page;
  }

  const createTaskFrom = (page: Page, userId: string) =>
    fetchFromPage(page, `${server?.url}/graphql`, {
      query: 'mutation ($userId: ID!) { createTask(userId: $userId, input: { title: "from a page" }) { title } }',
      variables: { userId },
    });

  it('lets a page on a CORS_ORIGINS origin send a mutation with a bearer header and read the answer and x-request-id', async () => {
    const page = await openPage(allowedPage?.origin ?? '');
    const outcome = await createTaskFrom(page, uniqueUserId('cors'));
    expect(outcome).toEqual({ ok: true, requestId: 'from-the-page', body: { data: { createTask: { title: 'from a page' } } } });
  });

  it('stops a page on any other origin at the preflight: the mutation never runs', async () => {
    const page = await openPage(foreignPage?.origin ?? '');
    const userId = uniqueUserId('cors');
    const outcome = await createTaskFrom(page, userId);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/Failed to fetch/);
    const stored = await api?.graphql<{ tasks: { totalCount: number } }>(tasksQuery, { userId });
    expect(stored?.data?.tasks.totalCount).toBe(0);
  });
});
