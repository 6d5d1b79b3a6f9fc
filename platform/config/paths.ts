import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest folder above `from` that holds a package.json: the project root, from source or from a build. */
function projectRootFrom(from: string): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The repository root, wherever the process was started from. */
export const REPO_ROOT = projectRootFrom(import.meta.dirname);
