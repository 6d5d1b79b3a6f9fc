// `npm run db:check [-- <subgraph|platform>...]`: fails when a schema.prisma (or the platform's
// outbox.prisma) changed without a migration.
import { checkMigrations, PLATFORM } from './migrations/check.js';
import { isSubgraphName, SUBGRAPH_NAMES } from '#contracts';

const requested = process.argv.slice(2);
const unknown = requested.filter((s) => s !== PLATFORM && !isSubgraphName(s));
if (unknown.length > 0) {
  console.error(`unknown subgraph ${unknown.join(', ')}; expected some of: ${[...SUBGRAPH_NAMES, PLATFORM].join(', ')}`);
  process.exit(2);
}

const started = Date.now();
const results = await checkMigrations(requested.length > 0 ? requested : [...SUBGRAPH_NAMES, PLATFORM]).catch(
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
for (const r of results) {
  if (r.ok) {
    console.log(`${r.subgraph}: ok`);
  } else {
    console.log(`${r.subgraph}: drift, the migrations lack:\n${indent(r.missingSql.trimEnd())}\n`);
  }
}
const drifted = results.filter((r) => !r.ok).map((r) => r.subgraph);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (drifted.length > 0) {
  console.log(
    `\n${drifted.length} schema(s) drifted (${seconds} s). ` +
      `Create the migration with: npm run db:migration -- <subgraph> <name>`,
  );
  process.exitCode = 1;
} else {
  console.log(`all ${results.length} schema(s) agree with their migrations (${seconds} s)`);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
