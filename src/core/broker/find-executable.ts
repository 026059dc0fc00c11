// Locating outside programs. mosquitto installs into /usr/sbin, which a non-root PATH usually lacks, so the
// default search appends the sbin directories to PATH.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** PATH followed by the sbin directories. */
export function defaultSearchPath(): string {
  return [...(process.env.PATH ?? '').split(delimiter), ...SBIN_DIRS].filter((d) => d !== '').join(delimiter);
}

/** Absolute path of `name` in the first directory of `searchPath` (PATH syntax) that has it executable. */
export function findExecutable(name: string, searchPath: string = defaultSearchPath()): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
