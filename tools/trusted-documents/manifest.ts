import { createHash } from 'node:crypto';
import { loadOperations } from '../schema/operations.js';
import { print } from '../schema/graphql-js.js';

/** Apollo's persisted query manifest format, so other tooling (and Apollo Router) can read it too. */
export interface Manifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }[];
}

/**
 * One entry per operation under `dir`: the operation with the fragments it needs, printed in
 * graphql-js's canonical form; the id is the SHA-256 of that body, as automatic persisted queries hash it.
 */
export function buildManifest(dir: string): Manifest {
  const { operations, problems } = loadOperations(dir);
  if (problems.length) {
    throw new Error(`cannot build the manifest:\n${problems.map((p) => `  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('\n')}`);
  }
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: operations
      .map((op) => {
        const body = print(op.document);
        return { id: createHash('sha256').update(body).digest('hex'), name: op.name, type: op.kind, body };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
