import { v7 as uuidv7 } from 'uuid';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueUserId, useTestApi } from '../support/api.js';
import { createTasks, listTasks, type PageResult, updateTaskMutation } from '../support/operations.js';

// The same expectations run on PGlite and PostgreSQL (one vitest project each): the order is the same on both.
const api = useTestApi({ countQueries: true });

const ascending = { field: 'TITLE', direction: 'ASC' } as const;
const descending = { field: 'TITLE', direction: 'DESC' } as const;

// Created in this order; equal keys (the three fish, the two streets) keep it, as ties go by id.
const createdTitles = [
  'zebra',
  'Émile',
  'alpha',
  'Beta',
  'éclair',
  'Ｆｉｓｈ',
  'ﬁsh',
  'Fish',
  'Straße',
  'strasse',
  'Ωμέγα',
  'άλφα',
  'Яблоко',
  'арбуз',
  'Écrire',
  'delta',
];

const readingOrder = [
  'alpha',
  'Beta',
  'delta',
  'éclair',
  'Écrire',
  'Émile',
  'Ｆｉｓｈ',
  'ﬁsh',
  'Fish',
  'Straße',
  'strasse',
  'zebra',
  'άλφα',
  'Ωμέγα',
  'арбуз',
  'Яблоко',
];

let owner: string;

beforeAll(async () => {
  owner = uniqueUserId('alphabet');
  await createTasks(api(), owner, createdTitles);
});

const titlesOf = (page: PageResult) => page.edges.map((edge) => edge.node.title);

async function pageForward(userId: string, orderBy: typeof ascending | typeof descending, first: number) {
  const titles: string[] = [];
  let after: string | null = null;
  do {
    const page: PageResult = await listTasks(api(), { userId, first, after, orderBy });
    titles.push(...titlesOf(page));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return titles;
}

async function pageBackward(userId: string, orderBy: typeof ascending | typeof descending, last: number) {
  const titles: string[] = [];
  let before: string | null = null;
  do {
    const page: PageResult = await listTasks(api(), { userId, last, before, orderBy });
    titles.unshift(...titlesOf(page));
    before = page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null;
  } while (before);
  return titles;
}

describe('TITLE order', () => {
  it('ASC lists titles alphabetically, ignoring case and accents', async () => {
    const page = await listTasks(api(), { userId: owner, first: 50, orderBy: ascending });
    expect(titlesOf(page)).toEqual(readingOrder);
  });

  it('DESC lists the same titles in exactly the reverse order', async () => {
    const page = await listTasks(api(), { userId: owner, first: 50, orderBy: descending });
    expect(titlesOf(page)).toEqual([...readingOrder].reverse());
  });

  it('paging forward three at a time gives the same order, across equal titles', async () => {
    expect(await pageForward(owner, ascending, 3)).toEqual(readingOrder);
    expect(await pageForward(owner, descending, 3)).toEqual([...readingOrder].reverse());
  });

  it('paging backward three at a time gives the same order, across equal titles', async () => {
    expect(await pageBackward(owner, ascending, 3)).toEqual(readingOrder);
    expect(await pageBackward(owner, descending, 3)).toEqual([...readingOrder].reverse());
  });

  it('a renamed task moves to its new place', async () => {
    const userId = uniqueUserId('renamer');
    const [zulu] = await createTasks(api(), userId, ['Zulu', 'mike', 'Kilo']);
    await api().graphql(updateTaskMutation, { userId, id: zulu?.id, input: { title: 'Échec' } });
    const page = await listTasks(api(), { userId, orderBy: ascending });
    expect(titlesOf(page)).toEqual(['Échec', 'Kilo', 'mike']);
  });
});

describe('a deep page in TITLE order', () => {
  const deepUser = uniqueUserId('deep-title');
  const rows = 3_000;

  beforeAll(async () => {
    const { prisma } = api().db;
    const neighbour = uniqueUserId('neighbour');
    await prisma.user.createMany({ data: [{ id: deepUser }, { id: neighbour }] });
    const start = Date.now() - 3_600_000;
    await prisma.task.createMany({
      data: [deepUser, neighbour].flatMap((userId) =>
        Array.from({ length: rows }, (_, index) => ({
          id: uuidv7({ msecs: start + index }),
          userId,
          title: `${index % 2 === 0 ? 'É' : 'e'}tape ${String(rows - index).padStart(5, '0')}`,
        })),
      ),
    });
    await api().db.withSession((session) => session.exec('ANALYZE "Task"'));
  });

  it('starts reading at the cursor through the (userId, titleKey, id) index', async () => {
    const skipped = await listTasks(api(), { userId: deepUser, first: 100, orderBy: ascending });
    let after = skipped.pageInfo.endCursor;
    for (let page = 0; page < 24; page += 1) {
      after = (await listTasks(api(), { userId: deepUser, first: 100, after, orderBy: ascending })).pageInfo.endCursor;
    }
    const { result: deepPage, statements } = await api().statementsDuring(() =>
      listTasks(api(), { userId: deepUser, first: 20, after, orderBy: ascending }),
    );
    expect(titlesOf(deepPage)[0]).toBe('etape 02501');

    const pageStatement = statements.find((sql) => sql.includes('ORDER BY'));
    if (!pageStatement) throw new Error(`no page statement among ${JSON.stringify(statements)}`);
    const params = JSON.parse(api().statementParams[api().statements.lastIndexOf(pageStatement)] ?? 'null') as unknown[];
    const [explained] = await api().db.withSession((session) =>
      session.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${pageStatement}`, params),
    );
    const plan = explained?.['QUERY PLAN'][0].Plan;
    if (!plan) throw new Error('EXPLAIN returned no plan');
    const nodes = flatten(plan);
    expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
    const scan = nodes.find((node) => node['Index Name'] === 'Task_userId_titleKey_id_idx');
    expect(scan, JSON.stringify(plan)).toBeDefined();
    // Seeking, not skipping: the scan reads about one page of rows, not the 2,500 before the cursor.
    expect((scan?.['Actual Rows'] ?? 0) + (scan?.['Rows Removed by Filter'] ?? 0)).toBeLessThanOrEqual(25);
  });
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}
