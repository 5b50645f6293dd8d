import { describe, expect, it } from 'vitest';
import { seedDemoData } from '../../scripts/db/demo-data.js';
import { useTestApi } from '../support/api.js';
import { countTasks, createTask, listTasks } from '../support/operations.js';

const api = useTestApi();

describe('npm run db:seed', () => {
  it('gives alice a list long enough to page through, newest first', async () => {
    await seedDemoData(api().db.prisma);
    const page = await listTasks(api(), { userId: 'alice', first: 10 });
    expect(page.totalCount).toBe(25);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges[0]?.node.title).toBe('Celebrate the launch');
  });

  it('can run again: the demo users end up with the same tasks, other users keep theirs', async () => {
    await createTask(api(), 'dave', { title: 'Not demo data' });
    await seedDemoData(api().db.prisma);
    await seedDemoData(api().db.prisma);
    expect(await countTasks(api(), 'alice')).toBe(25);
    expect(await countTasks(api(), 'bob')).toBe(3);
    expect(await countTasks(api(), 'dave')).toBe(1);
  });
});
