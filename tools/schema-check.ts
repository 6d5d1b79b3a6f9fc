// npm run schema:check — composition, drift, changes against a base, client operations, lint and
// migrations, reported together. Exit 0 when nothing is an error, 1 otherwise, 2 on bad usage.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage: npm run schema:check -- [--base <git ref>] [--strict] [--format text|json] [--skip-migrations]

  --base <ref>         compare the API schema with the one at <ref>
                       (default: the merge-base with origin/main when it exists, else HEAD)
  --strict             breaking changes no client operation uses fail too (default: warnings)
  --format json        print the report as JSON (use npm run -s to keep npm's banner out)
  --skip-migrations    leave out the Prisma migrations step (it takes a few seconds)`;

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      base: { type: 'string' },
      strict: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      'skip-migrations': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
}
try {
  args = parse();
} catch (e) {
  console.error(`${(e as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const format = args.values.format;
if (format !== 'text' && format !== 'json') {
  console.error(`--format must be text or json, not "${format}"\n\n${USAGE}`);
  process.exit(2);
}

const root = resolve(import.meta.dirname, '..');
try {
  // Loaded after the flags are read, so that usage errors answer at once.
  const { runSchemaCheck } = await import('./schema/check.js');
  const { formatJson, formatText } = await import('./schema/report.js');
  const report = await runSchemaCheck({
    root,
    ...(args.values.base ? { baseRef: args.values.base } : {}),
    strict: args.values.strict,
    skipMigrations: args.values['skip-migrations'],
  });
  console.log(format === 'json' ? formatJson(report) : formatText(report));
  process.exitCode = report.ok ? 0 : 1;
} catch (e) {
  console.error(`schema:check could not run: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
}
