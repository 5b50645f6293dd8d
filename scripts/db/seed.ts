// npm run db:seed: demo users (alice, bob, carol) with tasks, on the configured database; migrates first.
import { ConfigError, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db.js';
import { createLogger } from '../../src/logger.js';
import { migrate } from '../../src/migrate.js';
import { seedDemoData } from './demo-data.js';

try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, config.logFormat);
  const db = await openDatabase(config.database, { logger });
  try {
    await migrate(db, logger);
    const { users, tasks } = await seedDemoData(db.prisma);
    console.log(`Seeded ${tasks} tasks for ${users} demo users (alice, bob, carol).`);
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(error instanceof Error ? `Seeding failed: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
