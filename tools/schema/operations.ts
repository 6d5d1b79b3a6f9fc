// Client operations: loading them from .graphql files, validating them against a schema, finding
// what each one uses, and checking that the client contract is held under the same names.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  Kind,
  parse,
  print,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from './graphql-js.js';

export interface ClientOperation {
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** File the operation is in, relative to the folder it was loaded from, with `/` separators. */
  file: string;
  line: number;
  /** The operation and every fragment it spreads (transitively), ready to validate. */
  document: DocumentNode;
}

export interface OperationProblem {
  file: string;
  line?: number;
  column?: number;
  operation?: string;
  message: string;
}

export interface LoadedOperations {
  operations: ClientOperation[];
  problems: OperationProblem[];
  files: string[];
}

/** Every `*.graphql` file under `dir`, sorted, relative with `/` separators. */
export function graphqlFilesUnder(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.graphql') && statSync(join(dir, f)).isFile())
    .map((f) => f.split(sep).join('/'))
    .sort();
}

function fragmentNamesSpreadIn(node: OperationDefinitionNode | FragmentDefinitionNode): string[] {
  const names: string[] = [];
  visit(node, { FragmentSpread: (spread) => void names.push(spread.name.value) });
  return names;
}

/** The operation plus the fragments it needs, in a stable order; unknown fragments are left to validation. */
function withFragments(op: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): DocumentNode {
  const needed = new Map<string, FragmentDefinitionNode>();
  const queue = fragmentNamesSpreadIn(op);
  while (queue.length) {
    const name = queue.shift()!;
    const fragment = fragments.get(name);
    if (!fragment || needed.has(name)) continue;
    needed.set(name, fragment);
    queue.push(...fragmentNamesSpreadIn(fragment));
  }
  const sorted = [...needed.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
  return { kind: Kind.DOCUMENT, definitions: [op, ...sorted] };
}

/**
 * Loads every operation under `dir`. Fragments are shared across files, as persisted-operation
 * tooling does. Names must be unique: the report and the contract refer to operations by name.
 */
export function loadOperations(dir: string): LoadedOperations {
  const files = graphqlFilesUnder(dir);
  const problems: OperationProblem[] = [];
  const found: Array<{ file: string; node: OperationDefinitionNode }> = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const file of files) {
    let doc: DocumentNode;
    try {
      doc = parse(readFileSync(join(dir, file), 'utf8'));
    } catch (e) {
      const err = e as GraphQLError;
      problems.push({ file, line: err.locations?.[0]?.line, column: err.locations?.[0]?.column, message: err.message });
      continue;
    }
    for (const def of doc.definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) {
        if (fragments.has(def.name.value)) {
          problems.push({ file, line: def.loc?.startToken.line, message: `fragment "${def.name.value}" is defined more than once` });
        }
        fragments.set(def.name.value, def);
      } else if (def.kind === Kind.OPERATION_DEFINITION) {
        if (!def.name) {
          problems.push({ file, line: def.loc?.startToken.line, message: 'anonymous operation: every client operation needs a name' });
          continue;
        }
        found.push({ file, node: def });
      } else {
        problems.push({ file, line: def.loc?.startToken.line, message: `unexpected ${def.kind} in an operations file` });
      }
    }
  }
  const operations: ClientOperation[] = [];
  const seen = new Map<string, string>();
  for (const { file, node } of found) {
    const name = node.name!.value;
    const first = seen.get(name);
    if (first !== undefined) {
      problems.push({ file, line: node.loc?.startToken.line, operation: name, message: `operation "${name}" is also defined in ${first}` });
      continue;
    }
    seen.set(name, file);
    operations.push({ name, kind: node.operation, file, line: node.loc?.startToken.line ?? 1, document: withFragments(node, fragments) });
  }
  return { operations, problems, files };
}

export interface OperationError {
  operation: ClientOperation;
  message: string;
  line?: number;
  column?: number;
}

/** graphql-js validation of each operation against `schema`. */
export function validateOperations(operations: ClientOperation[], schema: GraphQLSchema): OperationError[] {
  const errors: OperationError[] = [];
  for (const operation of operations) {
    for (const error of validate(schema, operation.document)) {
      const loc = error.locations?.[0];
      errors.push({ operation, message: error.message, ...(loc ? { line: loc.line, column: loc.column } : {}) });
    }
  }
  return errors;
}

/**
 * What an operation uses, as the keys diff.ts speaks: `Type.field` (also on every possible type
 * when selected through an interface), `Type.field(arg:)`, `Enum.VALUE` written as a literal,
 * `Input.field` written as a literal, `type:Name` for every type touched, `input:Name` for every
 * type that can appear in its inputs (variables included, as their content is unknown),
 * `Abstract~Member` for type conditions, `@directive`.
 */
export function collectUsage(document: DocumentNode, schema: GraphQLSchema): Set<string> {
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const seenInputs = new Set<string>();
  const addInput = (type: GraphQLInputType) => {
    const named = getNamedType(type);
    used.add(`type:${named.name}`);
    used.add(`input:${named.name}`);
    if (seenInputs.has(named.name)) return;
    seenInputs.add(named.name);
    if (isInputObjectType(named)) for (const field of Object.values(named.getFields())) addInput(field.type);
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        const root = schema.getRootType(node.operation);
        if (root) used.add(`type:${root.name}`);
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type as never) as GraphQLInputType | undefined;
        if (type) addInput(type);
      },
      Field(node) {
        const parent = typeInfo.getParentType();
        const def = typeInfo.getFieldDef();
        if (!parent || !def) return;
        used.add(`${parent.name}.${node.name.value}`);
        used.add(`type:${getNamedType(def.type).name}`);
        if (isAbstractType(parent)) {
          for (const possible of schema.getPossibleTypes(parent)) used.add(`${possible.name}.${node.name.value}`);
        }
      },
      Directive(node) {
        used.add(`@${node.name.value}`);
      },
      Argument(node) {
        const arg = typeInfo.getArgument();
        if (!arg) return;
        const directive = typeInfo.getDirective();
        if (directive) {
          used.add(`@${directive.name}(${node.name.value}:)`);
          return;
        }
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field) used.add(`${parent.name}.${field.name}(${arg.name}:)`);
        if (node.value.kind !== Kind.VARIABLE) {
          // A literal: its own content is walked below (ObjectField, EnumValue).
          const named = getNamedType(arg.type);
          used.add(`type:${named.name}`);
          used.add(`input:${named.name}`);
        }
      },
      ObjectField(node) {
        const parent = getNamedType(typeInfo.getParentInputType());
        if (parent && isInputObjectType(parent)) {
          used.add(`${parent.name}.${node.name.value}`);
          used.add(`input:${parent.name}`);
        }
        const type = typeInfo.getInputType();
        if (type) {
          used.add(`type:${getNamedType(type).name}`);
          used.add(`input:${getNamedType(type).name}`);
        }
      },
      EnumValue(node) {
        const type = getNamedType(typeInfo.getInputType());
        if (type && isEnumType(type)) used.add(`${type.name}.${node.value}`);
      },
      InlineFragment(node) {
        const parent = typeInfo.getParentType();
        const condition = node.typeCondition?.name.value;
        if (!condition) return;
        used.add(`type:${condition}`);
        if (parent && parent.name !== condition) used.add(`${parent.name}~${condition}`);
      },
      FragmentSpread(node) {
        const parent = typeInfo.getParentType();
        const condition = fragments.get(node.name.value)?.typeCondition.name.value;
        if (!condition) return;
        used.add(`type:${condition}`);
        if (parent && parent.name !== condition) used.add(`${parent.name}~${condition}`);
      },
    }),
  );
  return used;
}

export interface ContractProblem {
  /** Contract file, relative to the contract folder. */
  file: string;
  operation?: string;
  kind: 'missing' | 'differs' | 'unreadable';
  message: string;
  details?: string[];
}

/** The first line where two printed operations differ, for the report. */
function firstDifference(expected: string, actual: string): string[] {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (a[i] !== b[i]) {
      return [`first difference at printed line ${i + 1}:`, `  contract: ${a[i]?.trim() ?? '(end)'}`, `  ours:     ${b[i]?.trim() ?? '(end)'}`];
    }
  }
  return [];
}

/**
 * Every operation of the contract folder must be in `ours` under the same name with the same text
 * once printed by graphql-js (which drops comments and normalises layout).
 */
export function compareWithContract(contractDir: string, ours: ClientOperation[]): { problems: ContractProblem[]; checked: number } {
  const contract = loadOperations(contractDir);
  const problems: ContractProblem[] = contract.problems.map((p) => ({
    file: p.file,
    ...(p.operation ? { operation: p.operation } : {}),
    kind: 'unreadable' as const,
    message: p.message,
  }));
  const byName = new Map(ours.map((o) => [o.name, o]));
  for (const expected of contract.operations) {
    const actual = byName.get(expected.name);
    if (!actual) {
      problems.push({ file: expected.file, operation: expected.name, kind: 'missing', message: `${expected.kind} ${expected.name} is missing` });
      continue;
    }
    const want = print(expected.document);
    const got = print(actual.document);
    if (want !== got) {
      problems.push({
        file: expected.file,
        operation: expected.name,
        kind: 'differs',
        message: `${expected.kind} ${expected.name} differs from ours in ${actual.file}`,
        details: firstDifference(want, got),
      });
    }
  }
  return { problems, checked: contract.operations.length };
}

export function relativeTo(root: string, path: string): string {
  return relative(root, path).split(sep).join('/') || '.';
}
