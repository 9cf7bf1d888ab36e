import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a file so that readers only ever see the old or the new content: the data goes to a
 * temporary file beside it, is flushed to disk, then renamed over the target (atomic on POSIX).
 * A run killed at any moment therefore never leaves a half-written checkpoint, grid or log.
 * What a kill can leave is the temporary file itself, named `<file>.<pid>.tmp`; see
 * removeStaleTemporaries.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

const TEMPORARY = /^.+\.(\d+)\.tmp$/;

/**
 * Deletes the temporary files that writeFileAtomic left in `dir` when its process was killed
 * mid-write. Each carries its writer's pid, so a file is only removed once that process is gone:
 * another live writer's file is left alone. Returns the names removed.
 */
export function removeStaleTemporaries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const match = TEMPORARY.exec(name);
    if (!match || isRunning(Number(match[1]))) continue;
    unlinkSync(join(dir, name));
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
