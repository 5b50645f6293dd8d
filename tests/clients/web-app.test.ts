import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AppConfig, serveApp, type ServedApp } from '../../examples/web/serve.mjs';
import { startTestApi, type TestApi, uniqueUserId } from '../support/api.js';
import { testDatabaseKind } from '../support/databases.js';
import { listen, type ListeningServer } from '../support/http-server.js';
import { createTask, deleteTaskMutation, updateTaskMutation } from '../support/operations.js';

// The example web app (examples/web: React, Vite, Apollo Client) in Debian's Chromium, served on one port, calling
// the API on another through CORS. .ci/run installs and builds the app; a stale or missing build is rebuilt here.
const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const web = fileURLToPath(new URL('../../examples/web/', import.meta.url));
const screenshots = fileURLToPath(new URL('../screenshots/', import.meta.url));
const hasChromium = existsSync(chromiumPath);
const hasWebInstall = existsSync(join(web, 'node_modules'));
const runs = testDatabaseKind === 'pglite';
if (runs && (!hasChromium || !hasWebInstall)) {
  const missing = hasChromium ? '`npm ci --prefix examples/web`' : `${chromiumPath} (\`apt-get install chromium\`)`;
  const message = `[taskgraph] ${missing} is missing: the web app browser test is SKIPPED.`;
  if (process.env.CI === 'true') throw new Error(`${message} In CI it must run.`);
  console.warn(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n`);
}

function newestChange(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

function buildAppIfStale() {
  const page = join(web, 'dist/index.html');
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((entry) => join(web, entry));
  if (existsSync(page) && Math.max(...sources.map(newestChange)) <= statSync(page).mtimeMs) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: web, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`examples/web did not build:\n${build.stdout}\n${build.stderr}`);
}

interface Stack {
  api: TestApi;
  server: ListeningServer;
  app: ServedApp;
  appConfig: AppConfig;
}

/** The app on one free port and the API on another, the API allowing exactly the app's origin. */
async function startStack(options: { trustedDocuments: boolean }): Promise<Stack> {
  const appConfig: AppConfig = { apiUrl: '', trustedDocuments: options.trustedDocuments };
  const app = await serveApp({ root: join(web, 'dist'), port: 0, config: appConfig });
  const api = await startTestApi({
    env: {
      CORS_ORIGINS: app.url,
      ...(options.trustedDocuments ? { TRUSTED_DOCUMENTS: 'examples/web/src/gql/persisted-documents.json' } : {}),
    },
  });
  const server = await listen(api.yoga);
  appConfig.apiUrl = `${server.url}/graphql`;
  return { api, server, app, appConfig };
}

async function stopStack(stack: Stack | undefined) {
  await stack?.app.close();
  await stack?.server.close();
  await stack?.api.dispose();
}

let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
/** Every request a page made to a host that is neither the app nor the API. */
let foreignRequests: string[] = [];
/** Every request body a page sent to the API. */
let apiBodies: string[] = [];

async function openApp(stack: Stack, userId: string): Promise<Page> {
  if (!browser) throw new Error('the browser is not up');
  const allowed = new Set([new URL(stack.app.url).origin, new URL(stack.server.url).origin]);
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  contexts.push(context);
  // As if offline: anything not served by the two fails, and is recorded.
  await context.route(
    (url) => !allowed.has(url.origin) && !['data:', 'blob:'].includes(url.protocol),
    (route) => {
      foreignRequests.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('request', (request) => {
    if (request.url().startsWith(stack.server.url) && request.method() === 'POST') apiBodies.push(request.postData() ?? '');
  });
  await page.goto(stack.app.url);
  await page.getByLabel('Your name').fill(userId);
  await page.getByRole('button', { name: 'Open my tasks' }).click();
  await expect.poll(() => taskCount(page), { timeout: 20_000 }).toMatch(/^\d+ tasks?$/);
  return page;
}

const taskCount = async (page: Page) => ((await page.locator('.count').textContent()) ?? '').trim();
const titles = (page: Page) => page.locator('.tasks .task-title').allTextContents();
const taskItem = (page: Page, title: string): Locator =>
  page.getByRole('listitem').filter({ has: page.getByRole('checkbox', { name: title, exact: true }) });
const banner = (page: Page) => page.getByRole('status');

async function screenshot(page: Page, name: string) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/**
 * Nothing is replayed on subscribe, so a page must be following before changes it should see: tasks are created
 * elsewhere until the page shows one (the GraphiQL test waits the same way).
 */
async function waitUntilLive(stack: Stack, pages: Page[], userId: string) {
  let attempt = 0;
  for (const page of pages) {
    await expect
      .poll(
        async () => {
          attempt += 1;
          await createTask(stack.api, userId, { title: `Warm-up ${attempt}` });
          return (await titles(page)).some((title) => title.startsWith('Warm-up'));
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
  }
}

async function addTask(page: Page, title: string, description?: string) {
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Title').fill(title);
  if (description) await form.getByLabel('Description (optional)').fill(description);
  await form.getByRole('button', { name: 'Add task' }).click();
  await taskItem(page, title).waitFor();
}

describe.runIf(runs && hasChromium && hasWebInstall)('the web app (examples/web) in headless Chromium', () => {
  let stack: Stack | undefined;
  const current = () => {
    if (!stack) throw new Error('the app and the API are not up');
    return stack;
  };

  beforeAll(async () => {
    buildAppIfStale();
    stack = await startStack({ trustedDocuments: false });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, timeout: 60_000 });
  }, 240_000);

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    expect(foreignRequests).toEqual([]);
    foreignRequests = [];
    apiBodies = [];
  });

  afterAll(async () => {
    await browser?.close();
    browser = undefined;
    await stopStack(stack);
  });

  it('creates tasks and lists them newest first', async () => {
    const page = await openApp(current(), uniqueUserId('web'));
    await addTask(page, 'Write the release notes', 'Changelog, upgrade notes and the new web app');
    await addTask(page, 'Book the meeting room');
    await addTask(page, 'Review the pull request');
    expect(await titles(page)).toEqual(['Review the pull request', 'Book the meeting room', 'Write the release notes']);
    expect(await taskCount(page)).toBe('3 tasks');
    await screenshot(page, 'list');
  });

  it("shows the server's message at the title field when the title is blank", async () => {
    const userId = uniqueUserId('web');
    const expected = await current().api.graphql<never>(
      'mutation { createTask(userId: "nobody", input: { title: "   " }) { id } }',
    );
    const message = expected.errors?.[0]?.message ?? '';
    expect(expected.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.title' });
    const page = await openApp(current(), userId);
    const form = page.getByRole('form', { name: 'New task' });
    await form.getByLabel('Title').fill('   ');
    await form.getByRole('button', { name: 'Add task' }).click();
    const title = form.getByLabel('Title');
    await expect.poll(() => title.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await title.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(message);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    expect(await taskCount(page)).toBe('0 tasks');
    await screenshot(page, 'blank-title');
  });

  it('ticks a task done and filters all, open and done', async () => {
    const userId = uniqueUserId('web');
    for (const title of ['Pay the invoice', 'Water the plants', 'Call the bank']) await createTask(current().api, userId, { title });
    const page = await openApp(current(), userId);
    await page.getByRole('checkbox', { name: 'Water the plants' }).check();
    await expect.poll(() => page.getByRole('checkbox', { name: 'Water the plants' }).isChecked()).toBe(true);
    await page.getByRole('radio', { name: 'Open' }).check();
    await expect.poll(() => titles(page)).toEqual(['Call the bank', 'Pay the invoice']);
    expect(await taskCount(page)).toBe('2 tasks');
    await page.getByRole('radio', { name: 'Done' }).check();
    await expect.poll(() => titles(page)).toEqual(['Water the plants']);
    await screenshot(page, 'filter-done');
    // Unticked while the done list shows: it leaves that list at once.
    await page.getByRole('checkbox', { name: 'Water the plants' }).click();
    await expect.poll(() => taskCount(page)).toBe('0 tasks');
    await page.getByRole('radio', { name: 'All' }).check();
    await expect.poll(() => titles(page)).toEqual(['Call the bank', 'Water the plants', 'Pay the invoice']);
  });

  it('edits the title and description in place, with the keyboard only', async () => {
    const userId = uniqueUserId('web');
    await createTask(current().api, userId, { title: 'Draft the agenda' });
    const page = await openApp(current(), userId);
    await page.getByRole('button', { name: 'Edit “Draft the agenda”' }).focus();
    await page.keyboard.press('Enter');
    const editor = page.getByRole('form', { name: 'Edit “Draft the agenda”' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('INPUT');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Draft the agenda for Monday');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Budget first, then hiring');
    await screenshot(page, 'edit');
    await editor.getByLabel('Title').press('Enter');
    await taskItem(page, 'Draft the agenda for Monday').waitFor();
    expect(await taskItem(page, 'Draft the agenda for Monday').textContent()).toContain('Budget first, then hiring');
    // Focus returns to the item's Edit button.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit “Draft the agenda for Monday”');
    const stored = await current().api.graphql<{ tasks: { edges: { node: { title: string; description: string } }[] } }>(
      'query($userId: ID!) { tasks(userId: $userId) { edges { node { title description } } } }',
      { userId },
    );
    expect(stored.data?.tasks.edges[0]?.node).toEqual({ title: 'Draft the agenda for Monday', description: 'Budget first, then hiring' });
  });

  it('deletes a task only after confirmation', async () => {
    const userId = uniqueUserId('web');
    for (const title of ['Keep me', 'Delete me']) await createTask(current().api, userId, { title });
    const page = await openApp(current(), userId);
    await page.getByRole('button', { name: 'Delete “Delete me”' }).click();
    const confirmation = page.getByRole('group', { name: 'Confirm deleting “Delete me”' });
    await screenshot(page, 'delete-confirmation');
    await confirmation.getByRole('button', { name: 'Keep it' }).click();
    expect(await titles(page)).toEqual(['Delete me', 'Keep me']);
    await page.getByRole('button', { name: 'Delete “Delete me”' }).click();
    await confirmation.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(() => titles(page)).toEqual(['Keep me']);
    expect(await taskCount(page)).toBe('1 task');
  });

  it('asks whose edit to keep when someone else saved the task while it was open, and keeps mine on request', async () => {
    const userId = uniqueUserId('web');
    const task = await createTask(current().api, userId, { title: 'Plan the offsite' });
    const page = await openApp(current(), userId);
    await page.getByRole('button', { name: 'Edit “Plan the offsite”' }).click();
    const editor = page.locator('form.task-editor');
    await editor.getByLabel('Title').fill('Plan the offsite in May');
    await current().api.graphql(updateTaskMutation, { userId, id: task.id, input: { title: 'Plan the offsite in June' } });
    await editor.getByRole('button', { name: 'Save' }).click();
    const conflict = editor.getByRole('alert');
    await expect.poll(() => conflict.textContent()).toContain('“Plan the offsite in June”');
    await screenshot(page, 'edit-conflict');
    await conflict.getByRole('button', { name: 'Keep mine' }).click();
    await taskItem(page, 'Plan the offsite in May').waitFor();
    const stored = await current().api.graphql<{ task: { title: string; version: number } }>(
      'query($userId: ID!, $id: ID!) { task(userId: $userId, id: $id) { title version } }',
      { userId, id: task.id },
    );
    expect(stored.data?.task).toEqual({ title: 'Plan the offsite in May', version: 3 });
  });

  it("takes the other edit on request after a conflict, and saves nothing of mine", async () => {
    const userId = uniqueUserId('web');
    const task = await createTask(current().api, userId, { title: 'Order the cake' });
    const page = await openApp(current(), userId);
    await page.getByRole('button', { name: 'Edit “Order the cake”' }).click();
    const editor = page.locator('form.task-editor');
    await editor.getByLabel('Title').fill('Order the chocolate cake');
    await current().api.graphql(updateTaskMutation, { userId, id: task.id, input: { title: 'Order the lemon cake' } });
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.getByRole('alert').getByRole('button', { name: 'Take theirs' }).click();
    await expect.poll(() => titles(page)).toEqual(['Order the lemon cake']);
    const stored = await current().api.graphql<{ task: { title: string } }>(
      'query($userId: ID!, $id: ID!) { task(userId: $userId, id: $id) { title } }',
      { userId, id: task.id },
    );
    expect(stored.data?.task.title).toBe('Order the lemon cake');
  });

  it('marks every shown task done, then clears the completed ones', async () => {
    const userId = uniqueUserId('web');
    for (const title of ['Sweep the floor', 'Dust the shelves', 'Wash the windows']) await createTask(current().api, userId, { title });
    const page = await openApp(current(), userId);
    await page.getByRole('button', { name: 'Mark all done' }).click();
    for (const title of ['Sweep the floor', 'Dust the shelves', 'Wash the windows']) {
      await expect.poll(() => page.getByRole('checkbox', { name: title }).isChecked()).toBe(true);
    }
    expect(await taskCount(page)).toBe('3 tasks');
    await page.getByRole('button', { name: 'Clear completed' }).click();
    await expect.poll(() => taskCount(page)).toBe('0 tasks');
    expect(await titles(page)).toEqual([]);
    const stored = await current().api.graphql<{ tasks: { totalCount: number } }>(
      'query($userId: ID!) { tasks(userId: $userId) { totalCount } }',
      { userId },
    );
    expect(stored.data?.tasks.totalCount).toBe(0);
  });

  it('loads more on the cursor, ten at a time', async () => {
    const userId = uniqueUserId('web');
    for (let index = 1; index <= 13; index += 1) await createTask(current().api, userId, { title: `Task ${String(index).padStart(2, '0')}` });
    const page = await openApp(current(), userId);
    await expect.poll(() => titles(page)).toHaveLength(10);
    expect(await taskCount(page)).toBe('13 tasks');
    expect((await titles(page))[0]).toBe('Task 13');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => titles(page)).toHaveLength(13);
    expect(await titles(page)).toEqual(Array.from({ length: 13 }, (_, index) => `Task ${String(13 - index).padStart(2, '0')}`));
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  });

  it('searches titles and descriptions', async () => {
    const userId = uniqueUserId('web');
    await createTask(current().api, userId, { title: 'Renew the passport' });
    await createTask(current().api, userId, { title: 'Buy stamps', description: 'For the passport photos' });
    await createTask(current().api, userId, { title: 'Clean the garage' });
    const page = await openApp(current(), userId);
    await page.getByRole('searchbox', { name: 'Search' }).fill('PASSPORT');
    await expect.poll(() => titles(page)).toEqual(['Buy stamps', 'Renew the passport']);
    expect(await taskCount(page)).toBe('2 tasks');
    await screenshot(page, 'search');
    await page.getByRole('searchbox', { name: 'Search' }).fill('nothing like this');
    await expect.poll(() => taskCount(page)).toBe('0 tasks');
    expect(await page.getByText('No task matches.').isVisible()).toBe(true);
  });

  it("shows one page's changes live in another page of the same user, and none in another user's page", async () => {
    const alice = uniqueUserId('alice');
    const bob = uniqueUserId('bob');
    const first = await openApp(current(), alice);
    const second = await openApp(current(), alice);
    const other = await openApp(current(), bob);
    await waitUntilLive(current(), [first, second], alice);
    await waitUntilLive(current(), [other], bob);
    const bobTitles = await titles(other);

    await addTask(first, 'Seen in both pages');
    await taskItem(second, 'Seen in both pages').waitFor();
    await second.getByRole('checkbox', { name: 'Seen in both pages' }).check();
    await expect.poll(() => first.getByRole('checkbox', { name: 'Seen in both pages' }).isChecked()).toBe(true);
    await first.getByRole('button', { name: 'Edit “Seen in both pages”' }).click();
    await first.getByRole('form', { name: 'Edit “Seen in both pages”' }).getByLabel('Title').fill('Renamed in the first page');
    await first.getByRole('button', { name: 'Save' }).click();
    await taskItem(second, 'Renamed in the first page').waitFor();
    // A change made elsewhere (another client of the API) arrives too.
    const fromElsewhere = await createTask(current().api, alice, { title: 'Created by another client' });
    await taskItem(first, 'Created by another client').waitFor();
    await taskItem(second, 'Created by another client').waitFor();
    await screenshot(second, 'live-second-page');
    await second.getByRole('button', { name: 'Delete “Renamed in the first page”' }).click();
    await second.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(async () => (await titles(first)).includes('Renamed in the first page')).toBe(false);
    await current().api.graphql(updateTaskMutation, { userId: alice, id: fromElsewhere.id, input: { completed: true } });
    await expect.poll(() => second.getByRole('checkbox', { name: 'Created by another client' }).isChecked()).toBe(true);
    await current().api.graphql(deleteTaskMutation, { userId: alice, id: fromElsewhere.id });
    await expect.poll(async () => (await titles(second)).includes('Created by another client')).toBe(false);
    expect(await first.locator('.count').textContent()).toBe(await second.locator('.count').textContent());

    // Bob's page, open all along, got none of it.
    expect(await titles(other)).toEqual(bobTitles);
    await other.reload();
    await expect.poll(() => titles(other)).toEqual(bobTitles);
  });

  it('shows a banner while the API is unreachable, and clears it when the API is back', async () => {
    const stackNow = current();
    const page = await openApp(stackNow, uniqueUserId('web'));
    expect(await banner(page).textContent()).toBe('');
    const port = Number(new URL(stackNow.server.url).port);
    await stackNow.server.close();
    // The event stream breaks, and so does any request.
    await page.getByRole('radio', { name: 'Done' }).check();
    await expect.poll(() => banner(page).textContent(), { timeout: 20_000 }).toMatch(/Cannot reach the task service/);
    await screenshot(page, 'unreachable');
    stackNow.server = await listen(stackNow.api.yoga, { port });
    await expect.poll(() => banner(page).textContent(), { timeout: 20_000 }).toBe('');
    // Live again: a change made elsewhere shows without a reload.
    await page.getByRole('radio', { name: 'All' }).check();
    await waitUntilLive(stackNow, [page], await page.locator('.signed-in strong').innerText());
  });
});

describe.runIf(runs && hasChromium && hasWebInstall)('the web app against an API that runs only trusted documents', () => {
  let stack: Stack | undefined;

  beforeAll(async () => {
    buildAppIfStale();
    stack = await startStack({ trustedDocuments: true });
    browser ??= await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, timeout: 60_000 });
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await browser?.close();
    browser = undefined;
    await stopStack(stack);
  });

  it('creates, ticks, edits, deletes and follows changes live, sending hashes and never document text', async () => {
    if (!stack) throw new Error('the app and the API are not up');
    const userId = uniqueUserId('trusted');
    const first = await openApp(stack, userId);
    const second = await openApp(stack, userId);
    // Tasks made by the first page until the second shows one: both follow (the API refuses the tests' text helpers).
    let attempt = 0;
    await expect
      .poll(
        async () => {
          attempt += 1;
          await addTask(first, `Warm-up ${attempt}`);
          return (await titles(second)).some((title) => title.startsWith('Warm-up'));
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    await addTask(first, 'Trusted task');
    await taskItem(second, 'Trusted task').waitFor();
    await second.getByRole('checkbox', { name: 'Trusted task' }).check();
    await expect.poll(() => first.getByRole('checkbox', { name: 'Trusted task' }).isChecked()).toBe(true);
    await first.getByRole('button', { name: 'Edit “Trusted task”' }).click();
    await first.getByRole('form', { name: 'Edit “Trusted task”' }).getByLabel('Title').fill('Trusted and renamed');
    await first.getByRole('button', { name: 'Save' }).click();
    await taskItem(second, 'Trusted and renamed').waitFor();
    await second.getByRole('button', { name: 'Delete “Trusted and renamed”' }).click();
    await second.getByRole('button', { name: 'Yes, delete' }).click();
    await expect.poll(async () => (await titles(first)).includes('Trusted and renamed')).toBe(false);

    const bodies = apiBodies.map((body) => JSON.parse(body) as { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } });
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) {
      expect(body.query).toBeUndefined();
      expect(body.extensions?.persistedQuery?.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(foreignRequests).toEqual([]);
  });
});
