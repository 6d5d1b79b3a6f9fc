// The report of `npm run schema:check`: what each step found, and how it is printed for people and machines.

import type { ChangeSeverity, SchemaChange } from './diff.js';

export type { ChangeSeverity };

export type Severity = 'error' | 'warning' | 'info';

export type StepId = 'composition' | 'drift' | 'changes' | 'operations' | 'lint' | 'migrations';

export const STEP_TITLES: Record<StepId, string> = {
  composition: 'subgraphs are valid and compose',
  drift: 'committed supergraph matches a fresh composition',
  changes: 'API schema changes against the base',
  operations: 'client operations validate and match the contract',
  lint: 'lint rules',
  migrations: 'Prisma schemas agree with their migrations',
};

export const STEP_ORDER: StepId[] = ['composition', 'drift', 'changes', 'operations', 'lint', 'migrations'];

export interface Finding {
  severity: Severity;
  step: StepId;
  /** Stable machine code, e.g. BREAKING_CHANGE_USED, INVALID_FIELD_SHARING, naming/field-camel-case. */
  code: string;
  /** One line a person can act on. */
  message: string;
  /** Further lines: the library's wording, the SQL that is missing, the first differing line… */
  details?: string[];
  subgraphs?: string[];
  /** Schema coordinates concerned: `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`. */
  coordinates?: string[];
  /** Client operations concerned, by name. */
  operations?: string[];
  /** file:line:column, relative to the repository root. */
  locations?: string[];
  /** The command or edit that fixes it. */
  fix?: string;
}

export type StepStatus = 'passed' | 'warned' | 'failed' | 'skipped';

export interface StepResult {
  id: StepId;
  title: string;
  status: StepStatus;
  summary: string;
}


/** A change as the report shows it: what diff.ts found, less its usage keys, plus who it concerns. */
export interface ReportedChange extends Omit<SchemaChange, 'usageKeys'> {
  subgraphs: string[];
  /** Client operations that use what the change concerns (judged against the base schema). */
  usedBy: string[];
}

export interface SchemaCheckReport {
  ok: boolean;
  strict: boolean;
  base: { ref?: string; commit?: string; label: string; compared: boolean };
  steps: StepResult[];
  findings: Finding[];
  changes: ReportedChange[];
  operations: Array<{ name: string; kind: string; file: string }>;
  counts: Record<Severity, number>;
  durationMs: number;
}

const SEVERITY_ORDER: Severity[] = ['error', 'warning', 'info'];

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      STEP_ORDER.indexOf(a.step) - STEP_ORDER.indexOf(b.step),
  );
}

export function countFindings(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

/** Status of a step that ran, from what it found. */
export function stepStatus(findings: Finding[], step: StepId): StepStatus {
  const own = findings.filter((f) => f.step === step);
  if (own.some((f) => f.severity === 'error')) return 'failed';
  if (own.some((f) => f.severity === 'warning')) return 'warned';
  return 'passed';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const HEADINGS: Record<Severity, string> = { error: 'ERRORS', warning: 'WARNINGS', info: 'INFO' };

/** The report for a person: findings grouped by severity, then one line per step, then the verdict. */
export function formatText(report: SchemaCheckReport): string {
  const out: string[] = [];
  out.push(`Schema check against ${report.base.label}${report.strict ? ' (strict)' : ''}`);
  for (const severity of SEVERITY_ORDER) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    out.push('', `${HEADINGS[severity]} (${group.length})`);
    for (const f of group) {
      out.push(`  [${f.step}] ${f.message}`);
      for (const line of f.details ?? []) out.push(`      ${line}`);
      for (const location of f.locations ?? []) out.push(`      at ${location}`);
      if (f.fix) out.push(`      fix: ${f.fix}`);
    }
  }
  out.push('', 'STEPS');
  report.steps.forEach((s, i) => {
    out.push(`  ${i + 1}. ${s.status.toUpperCase().padEnd(7)} ${s.title}: ${s.summary}`);
  });
  const { error, warning, info } = report.counts;
  out.push(
    '',
    `${report.ok ? 'PASSED' : 'FAILED'}: ${plural(error, 'error')}, ${plural(warning, 'warning')}, ${info} info (${report.durationMs} ms)`,
  );
  return out.join('\n');
}

export function formatJson(report: SchemaCheckReport): string {
  return JSON.stringify(report, null, 2);
}
