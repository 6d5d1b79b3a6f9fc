import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';
import { resolve } from 'node:path';
import { REPO_ROOT } from '#platform/config';

/** The six subgraphs, in the order they start. Ports default to 4001..4006 in this order. */
export const SUBGRAPH_NAMES = ['accounts', 'catalog', 'inventory', 'orders', 'payments', 'shipping'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export function isSubgraphName(value: string): value is SubgraphName {
  return (SUBGRAPH_NAMES as readonly string[]).includes(value);
}

export function defaultPort(name: SubgraphName): number {
  return 4001 + SUBGRAPH_NAMES.indexOf(name);
}

export function schemaPathOf(name: SubgraphName): string {
  return resolve(REPO_ROOT, 'subgraphs', name, 'schema.graphql');
}

export function migrationsDirOf(name: SubgraphName): string {
  return resolve(REPO_ROOT, 'prisma', name, 'migrations');
}

/** A subgraph's SDL and its Prisma migrations folder, as its server needs them. */
export function subgraphFiles(name: SubgraphName): { typeDefs: DocumentNode; migrationsDir: string } {
  return { typeDefs: parse(readFileSync(schemaPathOf(name), 'utf8')), migrationsDir: migrationsDirOf(name) };
}
