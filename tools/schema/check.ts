// runSchemaCheck: the six steps of `npm run schema:check`, as a function returning a structured report
// (the CLI in tools/schema-check.ts only formats it; tests run scenarios in-process with SDL overrides).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, parse, type GraphQLSchema } from './graphql-js.js';
import { defaultBase, readBaseSources } from './base.js';
import {
  composeSources,
  coordinateIndex,
  readRoverConfig,
  type ComposeIssue,
  type ComposeOutcome,
  type SubgraphSource,
} from './compose.js';
import { diffSchemas, type SchemaChange } from './diff.js';
import { lintSubgraphs } from './lint.js';
import {
  collectUsage,
  compareWithContract,
  loadOperations,
  relativeTo,
  validateOperations,
  type ClientOperation,
} from './operations.js';
import {
  countFindings,
  sortFindings,
  STEP_ORDER,
  STEP_TITLES,
  stepStatus,
  type Finding,
  type ReportedChange,
  type SchemaCheckReport,
  type StepId,
  type StepResult,
} from './report.js';

export interface SchemaCheckOptions {
  /** Repository root: rover-config.yaml, schema/, prisma/ live here. */
  root: string;
  /** Defaults to `<root>/rover-config.yaml`. */
  configPath?: string;
  /** Subgraph SDLs to use instead of the files, by subgraph name. */
  sdlOverrides?: Record<string, string>;
  /** The committed supergraph to compare with; defaults to the file `<root>/schema/supergraph.graphql`. */
  committedSupergraph?: string;
  /** Base to diff against: a git ref (default: merge-base with origin/main, else HEAD)… */
  baseRef?: string;
  /** …or the base subgraph SDLs themselves, by subgraph name (composed with the current config's URLs)… */
  baseSdls?: Record<string, string>;
  /** …or the base API schema SDL, already composed. */
  baseApiSdl?: string;
  /** How the report names a base given as SDLs. */
  baseLabel?: string;
  /** Defaults to `<root>/schema/operations`. */
  operationsDir?: string;
  /** The client contract to hold; defaults to `<root>/../shared/contract`; `null` skips that comparison. */
  contractDir?: string | null;
  /** Unused breaking changes fail too. */
  strict?: boolean;
  skipMigrations?: boolean;
  /** Subgraphs whose Prisma schemas to check (default: all). */
  migrationSubgraphs?: string[];
  /** Stands in for tools/migrations/check.ts (tests). */
  checkMigrations?: MigrationsModule['checkMigrations'];
}

interface MigrationCheckResult {
  subgraph: string;
  ok: boolean;
  missingSql: string;
}

type MigrationsModule = { checkMigrations(subgraphs?: string[]): Promise<MigrationCheckResult[]> };

// A variable keeps TypeScript from requiring the module at compile time: it is another team's file.
const MIGRATIONS_MODULE = '../migrations/check.js';

const MAX_SQL_LINES = 12;

/** tools/migrations/check.ts, or undefined when that file does not exist. */
async function loadMigrationsCheck(): Promise<MigrationsModule | undefined> {
  try {
    return (await import(MIGRATIONS_MODULE)) as MigrationsModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Only the module itself missing; a broken import inside it is an error to show.
    if (err.code === 'ERR_MODULE_NOT_FOUND' && /Cannot find module '[^']*\/migrations\/check(?:\.[jt]s)?'/.test(String(err.message))) {
      return undefined;
    }
    throw e;
  }
}

function joinNames(names: string[]): string {
  return names.join(', ');
}

/** For each subgraph (current and base), the coordinates its SDL defines. */
function definedCoordinates(sources: SubgraphSource[][]): Array<{ name: string; coordinates: Set<string> }> {
  const out: Array<{ name: string; coordinates: Set<string> }> = [];
  for (const list of sources) {
    for (const s of list) {
      try {
        out.push({ name: s.name, coordinates: new Set(coordinateIndex(parse(s.sdl)).map((e) => e.coordinate)) });
      } catch {
        // Unparseable SDLs are reported by composition.
      }
    }
  }
  return out;
}

/** Subgraphs whose SDL defines the coordinate's type or field (for `Type.field(arg:)`, the field). */
function subgraphsDefining(defined: ReturnType<typeof definedCoordinates>, coordinate: string): string[] {
  const target = coordinate.replace(/\(.*\)$/, '');
  return [...new Set(defined.filter((d) => d.coordinates.has(target)).map((d) => d.name))];
}

function composeFinding(issue: ComposeIssue, severity: 'error' | 'warning', fileOf: (s: string) => string): Finding {
  const where = issue.coordinates.length ? `${joinNames(issue.coordinates)}: ` : '';
  const who = issue.subgraphs.length ? `[${joinNames(issue.subgraphs)}] ` : '';
  // Composition messages can span lines (hints quote descriptions): the first line heads, the rest follow.
  const [first, ...rest] = issue.message.split('\n');
  return {
    severity,
    step: 'composition',
    code: issue.code,
    message: `${who}${where}${first}`,
    ...(rest.length ? { details: rest } : {}),
    subgraphs: issue.subgraphs,
    coordinates: issue.coordinates,
    locations: issue.locations.map((l) => `${fileOf(l.subgraph)}:${l.line}:${l.column}${l.coordinate ? ` (${l.coordinate})` : ''}`),
  };
}

const MAX_DRIFT_LINES = 12;

/**
 * The lines that differ between the committed supergraph and a fresh composition, as `-`/`+` lines
 * with their line numbers (a longest-common-subsequence diff; supergraphs are a few hundred lines).
 */
function driftDetail(committed: string, fresh: string): string[] {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let changed = 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i += 1;
      j += 1;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      if (changed++ < MAX_DRIFT_LINES) out.push(`+ ${String(j + 1).padStart(4)}: ${b[j]}`);
      j += 1;
    } else {
      if (changed++ < MAX_DRIFT_LINES) out.push(`- ${String(i + 1).padStart(4)}: ${a[i]}`);
      i += 1;
    }
  }
  if (changed > MAX_DRIFT_LINES) out.push(`… ${changed - MAX_DRIFT_LINES} more changed line(s)`);
  return ['- committed line, + freshly composed line:', ...out];
}

export async function runSchemaCheck(options: SchemaCheckOptions): Promise<SchemaCheckReport> {
  const started = Date.now();
  const root = resolve(options.root);
  const configPath = options.configPath ?? resolve(root, 'rover-config.yaml');
  const operationsDir = options.operationsDir ?? resolve(root, 'schema/operations');
  const contractDir = options.contractDir === undefined ? resolve(root, '../shared/contract') : options.contractDir;
  const strict = options.strict ?? false;
  const findings: Finding[] = [];
  const summaries = new Map<StepId, string>();
  const skipped = new Set<StepId>();
  const skip = (step: StepId, why: string) => {
    skipped.add(step);
    summaries.set(step, `skipped: ${why}`);
  };
  // Severity, step, code and message lead each finding, in the JSON too.
  const add = (f: Finding) => {
    const { severity, step, code, message, ...rest } = f;
    findings.push({ severity, step, code, message, ...rest });
  };

  // 1. Every subgraph SDL is valid and the whole composes.
  let sources: SubgraphSource[] = [];
  let configError: string | undefined;
  try {
    sources = readRoverConfig(configPath, options.sdlOverrides ?? {});
  } catch (e) {
    configError = (e as Error).message;
  }
  const fileOf = (subgraph: string) => {
    const s = sources.find((x) => x.name === subgraph);
    return s ? relativeTo(root, s.file) : subgraph;
  };
  const composed: ComposeOutcome = configError
    ? { sources, errors: [{ code: 'CONFIG_INVALID', message: configError, subgraphs: [], coordinates: [], locations: [] }], hints: [] }
    : composeSources(sources);
  for (const e of composed.errors) add(composeFinding(e, 'error', fileOf));
  for (const h of composed.hints) add(composeFinding(h, 'warning', fileOf));
  const apiSchema: GraphQLSchema | undefined = composed.apiSdl ? buildSchema(composed.apiSdl) : undefined;
  summaries.set(
    'composition',
    configError
      ? `${relativeTo(root, configPath)} or a schema file it names could not be read`
      : composed.errors.length
      ? `${composed.errors.length} composition error(s) across ${sources.length} subgraphs`
      : `${sources.length} subgraphs compose${composed.hints.length ? ` with ${composed.hints.length} hint(s)` : ''}`,
  );

  // 2. The committed supergraph equals a fresh composition.
  const supergraphPath = resolve(root, 'schema/supergraph.graphql');
  const supergraphRel = relativeTo(root, supergraphPath);
  if (!composed.supergraphSdl) {
    skip('drift', 'nothing to compare while composition fails');
  } else {
    const committed =
      options.committedSupergraph ?? (existsSync(supergraphPath) ? readFileSync(supergraphPath, 'utf8') : undefined);
    if (committed === undefined) {
      add({ severity: 'error', step: 'drift', code: 'SUPERGRAPH_MISSING', message: `${supergraphRel} does not exist`, fix: 'npm run schema:compose' });
      summaries.set('drift', `${supergraphRel} is missing`);
    } else if (committed.replace(/\r\n/g, '\n').trimEnd() !== composed.supergraphSdl.trimEnd()) {
      add({
        severity: 'error',
        step: 'drift',
        code: 'SUPERGRAPH_DRIFT',
        message: `${supergraphRel} is stale: it differs from a fresh composition of rover-config.yaml`,
        details: driftDetail(committed.replace(/\r\n/g, '\n'), composed.supergraphSdl),
        fix: `npm run schema:compose, then commit ${supergraphRel}`,
      });
      summaries.set('drift', `${supergraphRel} is stale`);
    } else {
      summaries.set('drift', `${supergraphRel} is up to date`);
    }
  }

  // 3. Changes of the API schema against the base.
  let baseSchema: GraphQLSchema | undefined;
  let baseSources: SubgraphSource[] = [];
  let changes: SchemaChange[] = [];
  const base: SchemaCheckReport['base'] = { label: 'no base', compared: false };
  {
    let baseApiSdl = options.baseApiSdl;
    if (baseApiSdl === undefined && options.baseSdls) {
      baseSources = Object.entries(options.baseSdls).map(([name, sdl]) => ({
        name,
        sdl,
        url: sources.find((s) => s.name === name)?.url ?? `http://${name}.invalid/graphql`,
        file: `base:${name}`,
      }));
      base.label = options.baseLabel ?? 'the given base SDLs';
    } else if (baseApiSdl !== undefined) {
      base.label = options.baseLabel ?? 'the given base API schema';
    } else {
      const ref = options.baseRef ? { ref: options.baseRef, label: options.baseRef } : defaultBase(root);
      base.ref = ref.ref;
      base.label = ref.label;
      const read = readBaseSources(root, ref.ref, relativeTo(root, configPath));
      if (!read.ok) {
        add({ severity: 'info', step: 'changes', code: 'BASE_UNAVAILABLE', message: `no base schema: ${read.reason}; change check skipped` });
        skip('changes', `no base schema at ${ref.label}`);
      } else {
        base.commit = read.commit;
        if (ref.label === ref.ref && read.commit !== ref.ref) base.label = `${ref.ref} (${read.commit.slice(0, 10)})`;
        baseSources = read.sources;
        for (const note of read.notes) add({ severity: 'info', step: 'changes', code: 'BASE_SUBGRAPH_NEW', message: note });
      }
    }
    if (baseApiSdl === undefined && baseSources.length) {
      const baseComposed = composeSources(baseSources);
      if (baseComposed.apiSdl) baseApiSdl = baseComposed.apiSdl;
      else {
        add({
          severity: 'info',
          step: 'changes',
          code: 'BASE_DOES_NOT_COMPOSE',
          message: `the base (${base.label}) does not compose (${baseComposed.errors.length} error(s)); change check skipped`,
        });
        skip('changes', 'the base does not compose');
      }
    }
    if (baseApiSdl !== undefined) baseSchema = buildSchema(baseApiSdl);
  }

  // 4 (loading). Client operations.
  const loaded = loadOperations(operationsDir);
  const operationsRel = relativeTo(root, operationsDir);
  const opLabel = (op: ClientOperation) => `${op.name} (${op.file})`;
  const usage = new Map<ClientOperation, Set<string>>();
  if (baseSchema) for (const op of loaded.operations) usage.set(op, collectUsage(op.document, baseSchema));

  const reportedChanges: ReportedChange[] = [];
  if (baseSchema && apiSchema) {
    base.compared = true;
    changes = await diffSchemas(baseSchema, apiSchema);
    const defined = definedCoordinates([sources, baseSources]);
    for (const change of changes) {
      const users = loaded.operations.filter((op) => change.usageKeys.some((k) => usage.get(op)?.has(k)));
      const subgraphs = subgraphsDefining(defined, change.coordinate);
      reportedChanges.push({
        severity: change.severity,
        type: change.type,
        coordinate: change.coordinate,
        summary: change.summary,
        message: change.message,
        ...(change.reason ? { reason: change.reason } : {}),
        subgraphs,
        usedBy: users.map((u) => u.name),
      });
      const common = {
        step: 'changes' as const,
        code: `${change.severity.toUpperCase()}_CHANGE`,
        subgraphs,
        coordinates: [change.coordinate],
        ...(users.length ? { operations: users.map((u) => u.name) } : {}),
      };
      const details = [
        `${change.message}${subgraphs.length ? ` (subgraph ${joinNames(subgraphs)})` : ''}`,
        ...users.map((u) => `used by ${opLabel(u)}`),
      ];
      if (change.severity === 'breaking') {
        if (users.length) {
          add({ ...common, code: 'BREAKING_CHANGE_USED', severity: 'error', message: `${change.summary} — used by ${joinNames(users.map((u) => u.name))}`, details });
        } else {
          add({
            ...common,
            code: 'BREAKING_CHANGE_UNUSED',
            severity: strict ? 'error' : 'warning',
            message: `${change.summary} — breaking, no client operation uses it${strict ? ' (fails under --strict)' : ''}`,
            details,
          });
        }
      } else if (change.severity === 'dangerous') {
        add({
          ...common,
          severity: 'warning',
          message: `${change.summary} — dangerous${users.length ? `, used by ${joinNames(users.map((u) => u.name))}` : ''}`,
          details,
        });
      } else {
        add({ ...common, severity: 'info', message: `${change.summary} — safe`, details: details.slice(0, 1) });
      }
    }
    const count = (s: string) => changes.filter((c) => c.severity === s).length;
    const used = reportedChanges.filter((c) => c.severity === 'breaking' && c.usedBy.length).length;
    summaries.set(
      'changes',
      changes.length
        ? `${changes.length} change(s): ${count('breaking')} breaking (${used} used by operations), ${count('dangerous')} dangerous, ${count('safe')} safe`
        : 'no API schema changes',
    );
  } else if (!skipped.has('changes')) {
    skip('changes', apiSchema ? 'no base schema' : 'nothing to compare while composition fails');
  }

  // 4. Client operations validate against the new API schema, and hold the client contract.
  for (const p of loaded.problems) {
    add({
      severity: 'error',
      step: 'operations',
      code: 'OPERATION_FILE_INVALID',
      message: `${operationsRel}/${p.file}: ${p.message}`,
      ...(p.operation ? { operations: [p.operation] } : {}),
      ...(p.line ? { locations: [`${operationsRel}/${p.file}:${p.line}${p.column ? `:${p.column}` : ''}`] } : {}),
    });
  }
  let contractSummary = '';
  if (contractDir === null) {
    contractSummary = 'contract comparison off';
  } else if (!existsSync(contractDir)) {
    add({ severity: 'info', step: 'operations', code: 'CONTRACT_ABSENT', message: `no client contract at ${relativeTo(root, contractDir)}; contract comparison skipped` });
    contractSummary = 'no contract folder';
  } else {
    const contractRel = relativeTo(root, contractDir);
    const { problems, checked } = compareWithContract(contractDir, loaded.operations);
    for (const p of problems) {
      add({
        severity: 'error',
        step: 'operations',
        code: p.kind === 'missing' ? 'CONTRACT_OPERATION_MISSING' : p.kind === 'differs' ? 'CONTRACT_OPERATION_DIFFERS' : 'CONTRACT_UNREADABLE',
        message: `client contract ${contractRel}/${p.file}: ${p.message}${p.kind === 'missing' ? ` from ${operationsRel}` : ''}`,
        ...(p.details ? { details: p.details } : {}),
        ...(p.operation ? { operations: [p.operation] } : {}),
        fix: `copy ${contractRel}/${p.file} to ${operationsRel}/contract/${p.file} (the contract is the client teams'; change it with them)`,
      });
    }
    contractSummary = `${checked - problems.filter((p) => p.kind !== 'unreadable').length}/${checked} contract operations held`;
  }
  if (apiSchema) {
    const errors = validateOperations(loaded.operations, apiSchema);
    for (const e of errors) {
      add({
        severity: 'error',
        step: 'operations',
        code: 'OPERATION_INVALID',
        message: `${opLabel(e.operation)} does not validate against the new API schema: ${e.message}`,
        operations: [e.operation.name],
        ...(e.line ? { locations: [`${operationsRel}/${e.operation.file}:${e.line}:${e.column}`] } : {}),
      });
    }
    const failing = new Set(errors.map((e) => e.operation.name)).size;
    summaries.set(
      'operations',
      `${loaded.operations.length - failing}/${loaded.operations.length} operations in ${loaded.files.length} file(s) validate; ${contractSummary}`,
    );
  } else {
    summaries.set('operations', `validation skipped while composition fails; ${contractSummary}`);
  }
  if (!loaded.operations.length) {
    add({ severity: 'warning', step: 'operations', code: 'NO_OPERATIONS', message: `no client operations under ${operationsRel}` });
  }

  // 5. Lint.
  const lint = lintSubgraphs(sources);
  for (const l of lint) {
    add({
      severity: l.severity,
      step: 'lint',
      code: l.rule,
      message: `[${joinNames(l.subgraphs)}] ${l.coordinate}: ${l.message}`,
      subgraphs: l.subgraphs,
      coordinates: [l.coordinate],
      locations: l.locations.map((x) => `${fileOf(x.subgraph)}:${x.line}:${x.column}`),
    });
  }
  summaries.set(
    'lint',
    `${lint.filter((l) => l.severity === 'error').length} error(s), ${lint.filter((l) => l.severity === 'warning').length} warning(s) over ${sources.length} subgraphs`,
  );

  // 6. Prisma schemas agree with their migrations.
  if (options.skipMigrations) {
    skip('migrations', '--skip-migrations');
  } else {
    const mod = options.checkMigrations ? { checkMigrations: options.checkMigrations } : await loadMigrationsCheck();
    if (!mod) {
      add({
        severity: 'warning',
        step: 'migrations',
        code: 'MIGRATIONS_CHECK_UNAVAILABLE',
        message: 'tools/migrations/check.ts does not exist; migrations not checked',
      });
      skip('migrations', 'tools/migrations/check.ts is missing');
    }
    if (mod) {
      try {
        const results = await mod.checkMigrations(options.migrationSubgraphs);
        for (const r of results.filter((x) => !x.ok)) {
          const sql = r.missingSql.trim().split('\n');
          add({
            severity: 'error',
            step: 'migrations',
            code: 'MIGRATIONS_OUT_OF_DATE',
            message: `prisma/${r.subgraph}/schema.prisma does not agree with its migrations`,
            subgraphs: [r.subgraph],
            details: [
              'SQL the migrations are missing:',
              ...sql.slice(0, MAX_SQL_LINES).map((l) => `  ${l}`),
              ...(sql.length > MAX_SQL_LINES ? [`  … ${sql.length - MAX_SQL_LINES} more line(s)`] : []),
            ],
            fix: `npm run db:migration -- ${r.subgraph} <migration_name>, then commit the new prisma/${r.subgraph}/migrations folder`,
          });
        }
        const bad = results.filter((x) => !x.ok).length;
        summaries.set('migrations', bad ? `${bad}/${results.length} Prisma schemas out of date` : `${results.length} Prisma schemas agree with their migrations`);
      } catch (e) {
        add({ severity: 'error', step: 'migrations', code: 'MIGRATIONS_CHECK_FAILED', message: `the migrations check failed: ${(e as Error).message}` });
        summaries.set('migrations', 'the check failed to run');
      }
    }
  }

  const steps: StepResult[] = STEP_ORDER.map((id) => ({
    id,
    title: STEP_TITLES[id],
    status: skipped.has(id) && !findings.some((f) => f.step === id && f.severity !== 'info') ? 'skipped' : stepStatus(findings, id),
    summary: summaries.get(id) ?? '',
  }));
  const sorted = sortFindings(findings);
  const counts = countFindings(sorted);
  return {
    ok: counts.error === 0,
    strict,
    base,
    steps,
    findings: sorted,
    changes: reportedChanges,
    operations: loaded.operations.map((o) => ({ name: o.name, kind: o.kind, file: `${operationsRel}/${o.file}` })),
    counts,
    durationMs: Date.now() - started,
  };
}
