// Where Electron's binary is, or undefined when it is not installed (no download is ever attempted).
// Shared by `npm start` and the desktop smoke test.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

// Since Electron 45, require('electron') downloads a missing binary on the spot; where that cannot
// work it throws after a network error. Look for the binary the same way it does, and only require
// the package once the binary is known to be there.
export function electronBinary() {
  try {
    const pkgDir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(pkgDir, 'path.txt');
    const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : undefined;
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const expected = override ? join(override, rel ?? 'electron') : rel && join(pkgDir, 'dist', rel);
    if (!expected || !existsSync(expected)) return undefined;
    const bin = require('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}
