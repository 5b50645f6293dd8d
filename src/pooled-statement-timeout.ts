import type { PrismaClient } from './generated/prisma/client.js';

// Serializes instances starting at once: two concurrent ALTER ROLE of one role fail with "tuple concurrently updated".
const roleSettingLockKey = 72_707_370;

/**
 * A transaction-mode pooler (PgBouncer, Neon's pooled endpoints) refuses `statement_timeout` as a startup parameter,
 * and a SET would stay on whichever server connection ran it. The role's default in this database is read by every
 * server connection the pooler opens, at no cost per request: set it once, in one transaction-sized statement.
 *
 * The backend that runs this statement was opened before the default changed, so it gets the value for its session
 * too. Server connections the pooler opened earlier keep their old value until it recycles them.
 * A timeout of 0 removes the role's default again.
 */
export async function setRoleStatementTimeout(prisma: PrismaClient, timeoutMs: number): Promise<void> {
  const wanted = timeoutMs > 0 ? `'${String(Math.trunc(timeoutMs))}'` : 'NULL';
  try {
    await prisma.$executeRawUnsafe(`DO $statement_timeout$
DECLARE
  wanted text := ${wanted};
  stored text;
BEGIN
  PERFORM pg_advisory_xact_lock(${roleSettingLockKey});
  SELECT substr(setting, length('statement_timeout=') + 1) INTO stored
    FROM pg_db_role_setting, unnest(setconfig) AS setting
   WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = session_user)
     AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND starts_with(setting, 'statement_timeout=');
  IF stored IS DISTINCT FROM wanted THEN
    IF wanted IS NULL THEN
      EXECUTE format('ALTER ROLE %I IN DATABASE %I RESET statement_timeout', session_user, current_database());
    ELSE
      EXECUTE format('ALTER ROLE %I IN DATABASE %I SET statement_timeout = %L', session_user, current_database(), wanted);
    END IF;
  END IF;
  PERFORM set_config('statement_timeout', coalesce(wanted, '0'), false);
END
$statement_timeout$`);
  } catch (error) {
    throw new Error(
      `Could not set the statement timeout for the pooled connection (ALTER ROLE ... IN DATABASE ... SET ` +
        `statement_timeout): ${error instanceof Error ? error.message : String(error)}. ` +
        'Set DATABASE_STATEMENT_TIMEOUT_MS=0 to run without one.',
      { cause: error },
    );
  }
}
