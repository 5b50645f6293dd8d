import { v7 as uuidv7 } from 'uuid';
import type { PrismaClient } from '../../src/generated/prisma/client.js';

const demo: Record<string, { title: string; description?: string; completed?: boolean }[]> = {
  alice: [
    { title: 'Write the release notes', description: 'v1.2: subscriptions, metrics, typed clients' },
    { title: 'Review the pagination PR', completed: true },
    { title: 'Book the team offsite', description: 'Three venues shortlisted' },
    { title: 'Renew the TLS certificate', completed: true },
    { title: 'Answer the support backlog' },
    { title: 'Plan the Q3 roadmap', description: 'Draft before Friday' },
    { title: 'Update the onboarding guide' },
    { title: 'Rotate the database password', completed: true },
    { title: 'Prepare the demo for Thursday' },
    { title: 'Fix the flaky upload test' },
    { title: 'Archive old projects', completed: true },
    { title: 'Order new laptops' },
    { title: 'Write the incident postmortem', description: 'Timeline, causes, follow-ups' },
    { title: 'Benchmark the search query' },
    { title: 'Clean up feature flags', completed: true },
    { title: 'Translate the landing page' },
    { title: 'Schedule 1:1s' },
    { title: 'Upgrade Node.js on CI' },
    { title: 'Reply to the security audit' },
    { title: 'Draft the hiring plan' },
    { title: 'Migrate the cron jobs', completed: true },
    { title: 'Tidy the shared drive' },
    { title: 'Send the monthly newsletter' },
    { title: 'Check the backup restore', description: 'Restore last night\'s dump into staging' },
    { title: 'Celebrate the launch' },
  ],
  bob: [
    { title: 'Buy groceries', description: 'Milk, eggs, coffee' },
    { title: 'Call the plumber', completed: true },
    { title: 'Pay the electricity bill' },
  ],
  carol: [{ title: 'Learn GraphQL subscriptions' }],
};

export const demoUserIds = Object.keys(demo);

/** Replaces the demo users' tasks with the demo set; other users are untouched. Safe to run again. */
export async function seedDemoData(prisma: PrismaClient): Promise<{ users: number; tasks: number }> {
  const start = Date.now() - 60 * 60 * 1000;
  let tasks = 0;
  await prisma.$transaction(async (tx) => {
    await tx.task.deleteMany({ where: { userId: { in: demoUserIds } } });
    await tx.user.createMany({ data: demoUserIds.map((id) => ({ id })), skipDuplicates: true });
    for (const [userId, items] of Object.entries(demo)) {
      const data = items.map((item, index) => {
        const at = new Date(start + index * 60_000);
        return { id: uuidv7({ msecs: at.getTime() }), userId, createdAt: at, updatedAt: at, completed: false, ...item };
      });
      await tx.task.createMany({ data });
      tasks += data.length;
    }
  });
  return { users: demoUserIds.length, tasks };
}
