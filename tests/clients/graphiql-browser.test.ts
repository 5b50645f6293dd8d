import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from '../support/api.js';
import { testDatabaseKind } from '../support/databases.js';
import { useRealPort } from '../support/http-server.js';
import { createTask } from '../support/operations.js';

// Debian's Chromium (`apt-get install chromium`); .ci/run installs it. playwright-core never downloads a browser.
const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const hasChromium = existsSync(chromiumPath);
if (!hasChromium && testDatabaseKind === 'pglite') {
  const message = `[taskgraph] ${chromiumPath} is missing: the GraphiQL browser test is SKIPPED. Install it with \`apt-get install chromium\`.`;
  if (process.env.CI === 'true') throw new Error(`${message} In CI it must run.`);
  console.warn(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n`);
}

const api = useTestApi();

// The page does not depend on the database: one run (on PGlite) is enough.
describe.runIf(hasChromium && testDatabaseKind === 'pglite')('GraphiQL in headless Chromium', () => {
  const serverUrl = useRealPort(api);
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  /** Every URL the page asked for that is not on the server (data: and blob: URLs are local to the page). */
  let foreignRequests: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, timeout: 60_000 });
  }, 90_000);

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function openGraphiQL(path = '/graphql'): Promise<Page> {
    if (!browser) throw new Error('the browser is not up');
    const origin = new URL(serverUrl()).origin;
    foreignRequests = [];
    context = await browser.newContext();
    // As if offline: anything not served by our server fails, and is recorded.
    await context.route(
      (url) => url.origin !== origin && !['data:', 'blob:'].includes(url.protocol),
      (route) => {
        foreignRequests.push(route.request().url());
        return route.abort('internetdisconnected');
      },
    );
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${serverUrl()}${path}`);
    await page.locator('.graphiql-query-editor').getByText('mutation CreateTask').waitFor();
    return page;
  }

  async function run(page: Page, operationName: string) {
    await page.locator('button.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: operationName, exact: true }).click();
  }

  const resultPane = (page: Page) => page.locator('section.result-window');

  /** Waits (bounded) until the element's text contains the expected text. */
  async function expectText(locator: Locator, expected: string) {
    const normalized = async () => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ');
    await expect.poll(normalized, { timeout: 15_000 }).toContain(expected);
  }

  it('opens with example operations for creating, listing and following tasks', async () => {
    const page = await openGraphiQL();
    await page.locator('button.graphiql-execute-button').click();
    const operations = page.getByRole('menuitem');
    await operations.first().waitFor();
    expect(await operations.allTextContents()).toEqual(['CreateTask', 'ListTasks', 'TaskEvents']);
  });

  it('runs createTask, then tasks, and shows each result in the page', async () => {
    const page = await openGraphiQL();
    await run(page, 'CreateTask');
    await expectText(resultPane(page), '"title": "Write the release notes"');
    await run(page, 'ListTasks');
    await expectText(resultPane(page), '"totalCount": 1');
    await expectText(resultPane(page), '"title": "Write the release notes"');
    expect(foreignRequests).toEqual([]);
  });

  it("shows the schema's descriptions in the Docs pane", async () => {
    const page = await openGraphiQL();
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByRole('link', { name: 'Query', exact: true }).click();
    await expectText(docs, 'Reads. Every task read is scoped to the user it names.');
    await docs.getByRole('link', { name: 'tasks', exact: true }).click();
    await expectText(docs, "The user's tasks, newest first unless orderBy says otherwise.");
    expect(foreignRequests).toEqual([]);
  });

  it('streams taskEvents into the result pane as tasks change', async () => {
    const page = await openGraphiQL();
    await run(page, 'TaskEvents');
    // The stream is open once the execute button turns into a stop button.
    await expect
      .poll(() => page.locator('button.graphiql-execute-button').getAttribute('aria-label'), { timeout: 15_000 })
      .toMatch(/stop/i);
    await expect
      .poll(
        async () => {
          await createTask(api(), 'alice', { title: 'Seen live in GraphiQL' });
          return ((await resultPane(page).textContent()) ?? '').replace(/\s+/g, ' ');
        },
        { timeout: 15_000, interval: 300 },
      )
      .toContain('"title": "Seen live in GraphiQL"');
    await expectText(resultPane(page), '"type": "CREATED"');
    expect(foreignRequests).toEqual([]);
  });

  it('streams taskEvents over WebSocket when opened as /graphql?transport=ws', async () => {
    const page = await openGraphiQL('/graphql?transport=ws');
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await run(page, 'TaskEvents');
    await expect
      .poll(() => page.locator('button.graphiql-execute-button').getAttribute('aria-label'), { timeout: 15_000 })
      .toMatch(/stop/i);
    await expect
      .poll(
        async () => {
          await createTask(api(), 'alice', { title: 'Seen live over WebSocket' });
          return ((await resultPane(page).textContent()) ?? '').replace(/\s+/g, ' ');
        },
        { timeout: 15_000, interval: 300 },
      )
      .toContain('"title": "Seen live over WebSocket"');
    expect(sockets).toEqual([`${serverUrl().replace(/^http/, 'ws')}/graphql`]);
    expect(foreignRequests).toEqual([]);
  });

  it('makes no request to any host other than the server', async () => {
    const page = await openGraphiQL();
    await run(page, 'ListTasks');
    await expectText(resultPane(page), '"totalCount"');
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.waitForLoadState('networkidle');
    expect(foreignRequests).toEqual([]);
  });
});
