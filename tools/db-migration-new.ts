// `npm run db:migration -- <subgraph|platform|all> <migration_name>`: writes the next migration of a
// subgraph in Prisma's layout, the way `prisma migrate dev --create-only` would.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PLATFORM, subgraphPaths } from './migrations/check.js';
import {
  diffMigrationsToSchema,
  MIGRATION_LOCK_CONTENT,
  MIGRATION_LOCK_FILE,
} from './migrations/schema-engine.js';
import { isSubgraphName, SUBGRAPH_NAMES } from '#contracts';

const usage = 'usage: npm run db:migration -- <subgraph|platform|all> <migration_name>';

const [target, rawName, ...rest] = process.argv.slice(2);
if (!target || !rawName || rest.length > 0) fail(usage);
if (target !== 'all' && target !== PLATFORM && !isSubgraphName(target)) {
  fail(`unknown subgraph "${target}"; expected all, platform (the outbox and inbox) or one of: ${SUBGRAPH_NAMES.join(', ')}`);
}
const name = migrationSlug(rawName);
if (name === '') fail(`migration name "${rawName}" has no letters or digits`);

// One timestamp for the whole run, so that `all` gives every subgraph the same folder name.
const folder = `${utcTimestamp(new Date())}_${name}`;
const subgraphs = target === 'all' ? [...SUBGRAPH_NAMES, PLATFORM] : [target];
try {
  for (const subgraph of subgraphs) await writeNextMigration(subgraph);
} catch (e) {
  fail(e instanceof Error ? e.message : String(e), 1);
}

async function writeNextMigration(subgraph: string): Promise<void> {
  const { schemaPath, migrationsDir, externalTables } = subgraphPaths(subgraph);
  const { sql } = await diffMigrationsToSchema({ name: subgraph, schemaPath, migrationsDir, externalTables });
  if (sql === '') {
    console.log(`${subgraph}: no schema changes`);
    return;
  }
  const dir = path.join(migrationsDir, folder);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), sql, { flag: 'wx' });
  await writeFile(path.join(migrationsDir, MIGRATION_LOCK_FILE), MIGRATION_LOCK_CONTENT);
  console.log(`${subgraph}: wrote ${path.relative(process.cwd(), path.join(dir, 'migration.sql'))}`);
}

/** Prisma's folder names: yyyyMMddHHmmss in UTC. */
function utcTimestamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`
  );
}

/** A folder-safe name: each run of characters other than letters, digits and _ becomes one _. */
function migrationSlug(raw: string): string {
  return raw
    .trim()
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
}

function fail(message: string, exitCode = 2): never {
  console.error(message);
  process.exit(exitCode);
}
