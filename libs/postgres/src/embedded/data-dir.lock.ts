import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE_NAME = 'gateway.lock';

export interface DataDirLock {
  readonly lockPath: string;
  /** Removes the lock file if it is still ours. */
  release(): void;
}

/**
 * PGlite does not lock its directory, and two processes writing one PGlite data directory corrupt it. So the
 * first gateway takes `dataDir/gateway.lock` (created exclusively, holding its pid); a second one refuses to start.
 * A lock left by a process that no longer runs (kill -9, power loss) is taken over.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(path.resolve(dataDir), LOCK_FILE_NAME);
  const ownPid = String(process.pid);
  // Two attempts: the second follows the removal of a stale lock. If another process takes the lock between
  // our removal and our retry, the retry fails and we report that process, which is the truth.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, ownPid, { flag: 'wx' });
      return {
        lockPath,
        release() {
          try {
            if (fs.readFileSync(lockPath, 'utf8').trim() === ownPid) fs.unlinkSync(lockPath);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(lockPath);
    if (holder !== null && isAlive(holder)) {
      throw new Error(
        `Another gateway (pid ${holder}) is using DATA_DIR ${path.resolve(dataDir)}. ` +
          `Stop that gateway first, or give this one a different DATA_DIR. ` +
          `If no gateway runs with pid ${holder} (the pid was reused by another program), delete ${lockPath} and start again.`,
      );
    }
    // The holder is gone (or the file is empty: it died between creating and writing it): the lock is stale.
    try {
      fs.unlinkSync(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`could not take the lock ${lockPath}: another process keeps creating it`);
}

function readHolder(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
