import { resolve } from 'node:path';

/** The repository root, wherever the process was started from. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export function migrationsDirOf(subgraph: string): string {
  return resolve(REPO_ROOT, 'prisma', subgraph, 'migrations');
}
