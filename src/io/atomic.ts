import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/**
 * Writes a file so that readers only ever see the old or the new content: the data goes to a
 * temporary file beside it, is flushed to disk, then renamed over the target (atomic on POSIX).
 * A run killed at any moment therefore never leaves a half-written checkpoint, grid or log.
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
