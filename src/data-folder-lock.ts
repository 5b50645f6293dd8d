import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.js';
import type { Logger } from './logger.js';

/**
 * Inside the data folder, like PostgreSQL's postmaster.pid: it travels with the folder, and a folder that is a
 * mount point (a container volume) needs no writable parent. PGlite runs initdb on a scratch file system and copies
 * the result in, so a new folder holding only this file is initialised as usual.
 */
export const dataFolderLockFile = 'taskgraph.lock';

/** Another process holds the data folder. A configuration error: this process cannot start as configured. */
export class DataFolderInUseError extends ConfigError {
  override name = 'DataFolderInUseError';
}

export interface DataFolderLock {
  release(): Promise<void>;
}

interface LockOwner {
  pid: number;
  hostname: string;
  since: string;
}

// PGlite is single-process: two processes on one folder each keep their own copy of the pages and overwrite each
// other's writes. A second process in this one would do the same.
const heldByThisProcess = new Set<string>();

/**
 * Takes the data folder for this process, or throws DataFolderInUseError naming the owner. A lock left by a
 * process that no longer runs on this host is taken over.
 */
export async function lockDataFolder(dataDir: string, logger: Logger): Promise<DataFolderLock> {
  const folder = await realpath(dataDir);
  const path = join(folder, dataFolderLockFile);
  if (heldByThisProcess.has(folder)) throw inUse(dataDir, { pid: process.pid, hostname: hostname(), since: '' });
  const contents = `${JSON.stringify({ pid: process.pid, hostname: hostname(), since: new Date().toISOString() })}\n`;
  for (let unreadable = 0; ; ) {
    if (await createExclusively(path, contents)) break;
    const found = await readLock(path);
    if (found === undefined) continue;
    if (found === null) {
      // Another process is between creating the file and writing its pid.
      if ((unreadable += 1) < 20) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      throw new DataFolderInUseError(
        `the data folder ${dataDir} is locked by ${path}, which names no process; ` +
          'delete it if no taskgraph process uses the folder, or set DATA_DIR',
      );
    }
    if (!isStale(found.owner)) throw inUse(dataDir, found.owner);
    if (await removeIfUnchanged(path, found.text)) {
      logger.warn(
        { dataDir, stalePid: found.owner.pid, staleSince: found.owner.since },
        'took over the data folder lock of a process that no longer runs',
      );
    }
  }
  heldByThisProcess.add(folder);
  // process.exit() skips the asynchronous release: a startup failure after this point still frees the folder.
  const releaseOnExit = () => removeSyncIfOurs(path, contents);
  process.once('exit', releaseOnExit);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', releaseOnExit);
      heldByThisProcess.delete(folder);
      if ((await readFile(path, 'utf8').catch(() => null)) === contents) await unlink(path).catch(() => undefined);
    },
  };
}

function inUse(dataDir: string, owner: LockOwner): DataFolderInUseError {
  const where = owner.hostname === hostname() ? '' : ` on ${owner.hostname}`;
  return new DataFolderInUseError(`the data folder ${dataDir} is in use by process ${owner.pid}${where}; stop it or set DATA_DIR`);
}

async function createExclusively(path: string, contents: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(contents);
  } finally {
    await handle.close();
  }
  return true;
}

/** undefined: no lock file (any more); null: a lock file without a complete owner. */
async function readLock(path: string): Promise<{ owner: LockOwner; text: string } | null | undefined> {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const owner: unknown = JSON.parse(text);
    if (isLockOwner(owner)) return { owner, text };
  } catch {
    // Incomplete: being written.
  }
  return null;
}

function isLockOwner(value: unknown): value is LockOwner {
  if (typeof value !== 'object' || value === null) return false;
  const { pid, hostname: host, since } = value as Record<string, unknown>;
  return Number.isInteger(pid) && typeof host === 'string' && typeof since === 'string';
}

function isStale(owner: LockOwner): boolean {
  // A process on another machine or in another container cannot be checked: assume it runs.
  if (owner.hostname !== hostname()) return false;
  // Our own pid, not held by us: an earlier life of this pid, e.g. pid 1 of a container that restarted.
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, run by another user.
    return errorCode(error) === 'ESRCH';
  }
}

/**
 * Removes the stale lock unless another process replaced it since it was read: moving it aside is atomic, and a
 * lock moved by mistake (another process took over first) is put back before anyone can create a new one there.
 */
async function removeIfUnchanged(path: string, staleText: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== staleText) await link(aside, path).catch(() => undefined);
  await unlink(aside);
  return moved === staleText;
}

function removeSyncIfOurs(path: string, contents: string) {
  try {
    if (readFileSync(path, 'utf8') === contents) unlinkSync(path);
  } catch {
    // Gone already.
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}
