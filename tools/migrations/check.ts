// The CI check that every subgraph's schema.prisma agrees with its migrations: replaying the
// migrations and diffing against the datamodel must leave nothing to do.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUTBOX_SCHEMA } from '#platform/events';
import { SUBGRAPH_NAMES } from '#contracts';
import { diffMigrationsToSchema } from './schema-engine.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SubgraphPaths {
  schemaPath: string;
  migrationsDir: string;
  /** The platform's tables in the subgraph's schema, which its own schema.prisma leaves out. */
  externalTables: string[];
}

/** `platform`: the outbox and inbox every subgraph's schema holds, defined and migrated once. */
export const PLATFORM = 'platform';

export function subgraphPaths(subgraph: string, root: string = repoRoot): SubgraphPaths {
  if (subgraph === PLATFORM) return { schemaPath: OUTBOX_SCHEMA.datamodel, migrationsDir: OUTBOX_SCHEMA.migrationsDir, externalTables: [] };
  const dir = path.join(root, 'prisma', subgraph);
  return {
    schemaPath: path.join(dir, 'schema.prisma'),
    migrationsDir: path.join(dir, 'migrations'),
    externalTables: OUTBOX_SCHEMA.tables.map((table) => `${subgraph}.${table}`),
  };
}

export interface MigrationCheckResult {
  subgraph: string;
  ok: boolean;
  /** SQL the migrations lack to reach schema.prisma; '' when ok. */
  missingSql: string;
}

/** Subgraphs are checked one after another: each throwaway PGlite holds a few hundred MB. */
export async function checkMigrations(
  subgraphs: readonly string[] = [...SUBGRAPH_NAMES, PLATFORM],
): Promise<MigrationCheckResult[]> {
  const results: MigrationCheckResult[] = [];
  for (const subgraph of subgraphs) {
    const { sql } = await diffMigrationsToSchema({ name: subgraph, ...subgraphPaths(subgraph) });
    results.push({ subgraph, ok: sql === '', missingSql: sql });
  }
  return results;
}
