import { unzipSync } from 'fflate';

/**
 * The entries of a ZIP archive, read whole into memory. fflate does the format; this wrapper
 * only names the file in its errors and bounds what an entry may inflate to.
 */
export interface ZipArchive {
  /** Entry names in the archive's order, folders included as written. */
  names: string[];
  /** An entry's bytes, or undefined when the archive has no entry of that name. */
  read(name: string): Uint8Array | undefined;
}

/**
 * No entry this project reads comes near this (a whole seed-mlp generator is under 0.5 MB);
 * the bound keeps a small hostile archive from inflating into gigabytes.
 */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

export function openZip(bytes: Uint8Array, file: string): ZipArchive {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (info) => {
        if (info.originalSize > MAX_ENTRY_BYTES) {
          throw new Error(`entry ${info.name} would inflate to ${info.originalSize} bytes`);
        }
        return true;
      },
    });
  } catch (error) {
    throw new Error(`${file}: not a readable ZIP archive (${(error as Error).message})`);
  }
  return {
    names: Object.keys(entries),
    read: (name) => (Object.hasOwn(entries, name) ? entries[name] : undefined),
  };
}
