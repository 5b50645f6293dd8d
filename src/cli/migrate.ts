import { ConfigError, loadConfig, migrationUrl } from '../config.js';
import { openDatabase } from '../db.js';
import { createLogger } from '../logger.js';
import { migrate } from '../migrate.js';

try {
  const config = loadConfig();
  // Refuses a pooled DATABASE_URL without DATABASE_DIRECT_URL before connecting anywhere.
  if (config.database.kind === 'postgres') migrationUrl(config.database);
  const logger = createLogger(config.logLevel, config.logFormat);
  const db = await openDatabase(config.database, { logger });
  try {
    const applied = await migrate(db, logger);
    console.log(applied.length ? `Applied ${applied.join(', ')}` : 'The database is up to date.');
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(error instanceof Error ? `Migration failed: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
