// Lint rules that fit a federated graph, run on each subgraph's SDL so that every finding names the
// subgraph and the coordinate. Federation's own definitions (_Service, _Entity, link__*, join__*…) are ignored.
import {
  getLocation,
  Kind,
  parse,
  type ASTNode,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type InterfaceTypeDefinitionNode,
  type InterfaceTypeExtensionNode,
  type TypeNode,
} from './graphql-js.js';

export type LintSeverity = 'error' | 'warning';

export interface LintFinding {
  rule: string;
  severity: LintSeverity;
  /** Every subgraph the finding concerns (usually one). */
  subgraphs: string[];
  coordinate: string;
  message: string;
  /** `subgraph:line:column` for each place. */
  locations: Array<{ subgraph: string; line: number; column: number }>;
}

export interface LintInput {
  name: string;
  sdl: string;
}

/**
 * First words a mutation may start with. A mutation says what it does to the graph;
 * `productCreate` or `newOrder` read as nouns and are rejected.
 */
export const MUTATION_VERBS = new Set([
  'accept', 'activate', 'add', 'adjust', 'apply', 'approve', 'archive', 'assign', 'attach', 'authorize', 'block',
  'cancel', 'capture', 'change', 'checkout', 'clear', 'clone', 'close', 'complete', 'confirm', 'create', 'deactivate',
  'decline', 'decrement', 'delete', 'deliver', 'detach', 'disable', 'dispatch', 'duplicate', 'enable', 'export',
  'fulfill', 'generate', 'grant', 'import', 'increment', 'invite', 'issue', 'link', 'lock', 'login', 'logout', 'mark',
  'merge', 'move', 'open', 'pay', 'place', 'publish', 'record', 'refresh', 'refund', 'register', 'reject', 'release',
  'reload', 'remove', 'rename', 'reorder', 'replace', 'request', 'reserve', 'reset', 'resend', 'restore', 'retry',
  'revoke', 'rotate', 'save', 'schedule', 'send', 'set', 'ship', 'sign', 'start', 'stop', 'submit', 'subscribe',
  'suspend', 'sync', 'toggle', 'track', 'transfer', 'unarchive', 'unassign', 'unblock', 'unlink', 'unlock',
  'unpublish', 'unset', 'unsubscribe', 'update', 'upload', 'upsert', 'validate', 'verify', 'void', 'withdraw',
]);

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const UPPER_CASE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const PAGINATION_ARGS = ['first', 'after'];
const NULL_REASON = /\bnull\b/i;

/** Names federation and the link spec bring; they are not ours to lint. */
function isFederationName(name: string): boolean {
  return name.startsWith('_') || name.includes('__') || name === 'FieldSet' || name === 'Import' || name === 'Purpose';
}

type FieldsOwner = ObjectTypeDefinitionNode | ObjectTypeExtensionNode | InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode;

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function unwrapNonNull(type: TypeNode): TypeNode {
  return type.kind === Kind.NON_NULL_TYPE ? type.type : type;
}

/** `[X]` or `[X]!` whose items may be null (at any nesting). */
function hasNullableListItems(type: TypeNode): boolean {
  const t = unwrapNonNull(type);
  if (t.kind !== Kind.LIST_TYPE) return false;
  return t.type.kind !== Kind.NON_NULL_TYPE || hasNullableListItems(t.type.type);
}

function isList(type: TypeNode): boolean {
  return unwrapNonNull(type).kind === Kind.LIST_TYPE;
}

function hasDirective(directives: readonly ConstDirectiveNode[] | undefined, ...names: string[]): boolean {
  return (directives ?? []).some((d) => names.includes(d.name.value));
}

/** Top-level field names of every `@key(fields: "...")` on a type. */
function keyFieldNames(directives: readonly ConstDirectiveNode[] | undefined): Set<string> {
  const names = new Set<string>();
  for (const d of directives ?? []) {
    if (d.name.value !== 'key' && d.name.value !== 'federation__key') continue;
    const fields = d.arguments?.find((a) => a.name.value === 'fields')?.value;
    if (fields?.kind !== Kind.STRING) continue;
    let depth = 0;
    for (const token of fields.value.match(/[A-Za-z_][A-Za-z0-9_]*|[{}]/g) ?? []) {
      if (token === '{') depth += 1;
      else if (token === '}') depth -= 1;
      else if (depth === 0) names.add(token);
    }
  }
  return names;
}

function rootTypeNames(doc: DocumentNode): { query: string; mutation: string; subscription: string } {
  const roots = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };
  for (const def of doc.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const op of def.operationTypes ?? []) roots[op.operation] = op.type.name.value;
  }
  return roots;
}

function typeName(def: DefinitionNode): string | undefined {
  return 'name' in def && def.name ? def.name.value : undefined;
}

/** The first camelCase word: `placeOrder` → `place`, `login` → `login`. */
export function firstWord(name: string): string {
  return name.match(/^[a-z][a-z0-9]*/)?.[0] ?? name;
}

interface Parsed {
  name: string;
  doc: DocumentNode;
  roots: ReturnType<typeof rootTypeNames>;
  types: Map<string, DefinitionNode>;
}

/** Lints the subgraphs; SDLs that do not parse are skipped (composition reports them). */
export function lintSubgraphs(subgraphs: LintInput[]): LintFinding[] {
  const parsed: Parsed[] = [];
  for (const s of subgraphs) {
    let doc: DocumentNode;
    try {
      doc = parse(s.sdl);
    } catch {
      continue;
    }
    const types = new Map<string, DefinitionNode>();
    for (const def of doc.definitions) {
      const name = typeName(def);
      if (name && def.kind !== Kind.DIRECTIVE_DEFINITION && !types.has(name)) types.set(name, def);
    }
    parsed.push({ name: s.name, doc, roots: rootTypeNames(doc), types });
  }

  const findings: LintFinding[] = [];
  const at = (subgraph: string, node: ASTNode | undefined) =>
    node?.loc ? [{ subgraph, ...getLocation(node.loc.source, node.loc.start) }] : [];
  const report = (rule: string, severity: LintSeverity, subgraph: string, coordinate: string, message: string, node?: ASTNode) =>
    findings.push({ rule, severity, subgraphs: [subgraph], coordinate, message, locations: at(subgraph, node) });

  // A type that several subgraphs define (an entity, a shareable value type) needs its description in one of them.
  const typeDescriptions = new Map<string, Array<{ subgraph: string; node: DefinitionNode; described: boolean; exempt: boolean }>>();

  for (const { name: subgraph, doc, roots, types } of parsed) {
    const rootNames = new Set(Object.values(roots));
    for (const def of doc.definitions) {
      const name = typeName(def);
      if (!name || isFederationName(name) || def.kind === Kind.DIRECTIVE_DEFINITION) continue;
      const isExtension = def.kind.endsWith('Extension');

      // Naming.
      if (!PASCAL_CASE.test(name)) {
        report('naming/type-pascal-case', 'error', subgraph, name, `type ${name} should be PascalCase`, def);
      }
      if ((def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || def.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) && !name.endsWith('Input')) {
        report('naming/input-suffix', 'error', subgraph, name, `input type ${name} should be named *Input (e.g. ${name}Input)`, def);
      }
      if (def.kind === Kind.ENUM_TYPE_DEFINITION || def.kind === Kind.ENUM_TYPE_EXTENSION) {
        for (const value of def.values ?? []) {
          const c = `${name}.${value.name.value}`;
          if (!UPPER_CASE.test(value.name.value)) {
            report('naming/enum-value-upper-case', 'error', subgraph, c, `enum value ${c} should be UPPER_CASE`, value);
          }
          if (!value.description && !isExtension) {
            report('description/missing', 'warning', subgraph, c, `enum value ${c} has no description`, value);
          }
        }
      }

      const fields: readonly (FieldDefinitionNode | InputValueDefinitionNode)[] =
        'fields' in def && def.fields ? def.fields : [];
      const isObjectLike =
        def.kind === Kind.OBJECT_TYPE_DEFINITION ||
        def.kind === Kind.OBJECT_TYPE_EXTENSION ||
        def.kind === Kind.INTERFACE_TYPE_DEFINITION ||
        def.kind === Kind.INTERFACE_TYPE_EXTENSION;
      const keys = isObjectLike ? keyFieldNames((def as FieldsOwner).directives) : new Set<string>();
      // An entity stub: the subgraph only names the entity by its key (to return or extend it).
      const isStub = keys.size > 0 && fields.every((f) => keys.has(f.name.value));
      const isRoot = rootNames.has(name);

      for (const field of fields) {
        const fieldName = field.name.value;
        const c = `${name}.${fieldName}`;
        if (isFederationName(fieldName)) continue;
        if (!CAMEL_CASE.test(fieldName)) {
          report('naming/field-camel-case', 'error', subgraph, c, `field ${c} should be camelCase`, field);
        }
        if (!field.description && !isStub && !hasDirective(field.directives, 'inaccessible', 'federation__inaccessible')) {
          report('description/missing', 'warning', subgraph, c, `field ${c} has no description`, field);
        }
        if (hasNullableListItems(field.type) && !NULL_REASON.test(field.description?.value ?? '')) {
          report(
            'shape/nullable-list-items',
            'error',
            subgraph,
            c,
            `${c} is a list with nullable items; make the items non-null, or say in its description when an item is null`,
            field.type,
          );
        }
        if (field.kind !== Kind.FIELD_DEFINITION) continue;
        if (name === roots.mutation && !MUTATION_VERBS.has(firstWord(fieldName))) {
          report(
            'naming/mutation-verb-first',
            'error',
            subgraph,
            c,
            `mutation ${fieldName} should start with a verb (create…, update…, delete…, place…, cancel…); "${firstWord(fieldName)}" is not one`,
            field,
          );
        }
        for (const arg of field.arguments ?? []) {
          const ac = `${c}(${arg.name.value}:)`;
          if (!CAMEL_CASE.test(arg.name.value)) {
            report('naming/field-camel-case', 'error', subgraph, ac, `argument ${ac} should be camelCase`, arg);
          }
          if (hasNullableListItems(arg.type) && !NULL_REASON.test(arg.description?.value ?? '')) {
            report('shape/nullable-list-items', 'error', subgraph, ac, `${ac} is a list with nullable items; make the items non-null`, arg.type);
          }
        }
        lintPagination(field, name, subgraph, types, parsed, report);
      }

      // Type descriptions are judged across subgraphs once every subgraph has been read.
      const describable =
        isObjectLike ||
        def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION ||
        def.kind === Kind.ENUM_TYPE_DEFINITION ||
        def.kind === Kind.SCALAR_TYPE_DEFINITION ||
        def.kind === Kind.UNION_TYPE_DEFINITION;
      if (describable) {
        const list = typeDescriptions.get(name) ?? [];
        list.push({
          subgraph,
          node: def,
          described: 'description' in def && !!def.description,
          exempt:
            isRoot ||
            isStub ||
            isExtension ||
            hasDirective('directives' in def ? def.directives : undefined, 'inaccessible', 'federation__inaccessible'),
        });
        typeDescriptions.set(name, list);
      }
    }
  }

  for (const [name, defs] of typeDescriptions) {
    if (defs.some((d) => d.described) || defs.every((d) => d.exempt)) continue;
    const owners = defs.filter((d) => !d.exempt);
    findings.push({
      rule: 'description/missing',
      severity: 'warning',
      subgraphs: owners.map((d) => d.subgraph),
      coordinate: name,
      message:
        owners.length > 1
          ? `type ${name} has no description in any of the subgraphs defining it (${owners.map((d) => d.subgraph).join(', ')})`
          : `type ${name} has no description`,
      locations: owners.flatMap((d) => at(d.subgraph, d.node)),
    });
  }
  return findings;
}

/**
 * Lists that paginate follow the Relay connection shape: a field taking `first`/`after` returns an
 * `XConnection` with `edges` and `pageInfo`, whose edges carry `node` and `cursor`.
 */
function lintPagination(
  field: FieldDefinitionNode,
  parentName: string,
  subgraph: string,
  types: Map<string, DefinitionNode>,
  parsed: Parsed[],
  report: (rule: string, severity: LintSeverity, subgraph: string, coordinate: string, message: string, node?: ASTNode) => void,
): void {
  const c = `${parentName}.${field.name.value}`;
  const argNames = new Set((field.arguments ?? []).map((a) => a.name.value));
  const paginates = PAGINATION_ARGS.some((a) => argNames.has(a));
  const returned = namedType(field.type);
  const lookup = (name: string): DefinitionNode | undefined =>
    types.get(name) ?? parsed.map((p) => p.types.get(name)).find((d) => d !== undefined);
  const returnedDef = lookup(returned);
  const rule = 'shape/relay-connection';

  if (paginates && isList(field.type)) {
    if (returnedDef?.kind === Kind.OBJECT_TYPE_DEFINITION || returnedDef?.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      report(rule, 'error', subgraph, c, `${c} paginates (first/after) but returns a list; return a ${returned}Connection { edges { cursor node } pageInfo }`, field);
    }
    return;
  }
  if (!returned.endsWith('Connection') || isList(field.type)) return;
  const problems: string[] = [];
  const missingArgs = PAGINATION_ARGS.filter((a) => !argNames.has(a));
  if (missingArgs.length) problems.push(`takes no ${missingArgs.join('/')} argument`);
  if (returnedDef && 'fields' in returnedDef) {
    const fieldsOf = (def: DefinitionNode) =>
      new Map((('fields' in def && def.fields) || []).map((f) => [f.name.value, f as FieldDefinitionNode]));
    const connectionFields = fieldsOf(returnedDef);
    const edges = connectionFields.get('edges');
    const missing: string[] = [];
    if (!edges || !isList(edges.type)) missing.push(`${returned}.edges (a list of edges)`);
    if (!connectionFields.get('pageInfo')) missing.push(`${returned}.pageInfo`);
    if (edges && isList(edges.type)) {
      const edgeName = namedType(edges.type);
      const edgeDef = lookup(edgeName);
      if (edgeDef && 'fields' in edgeDef) {
        const edgeFields = fieldsOf(edgeDef);
        if (!edgeFields.has('node')) missing.push(`${edgeName}.node`);
        if (!edgeFields.has('cursor')) missing.push(`${edgeName}.cursor`);
      }
    }
    if (missing.length) problems.push(`${returned} is not a Relay connection: missing ${missing.join(', ')}`);
  }
  if (problems.length) report(rule, 'error', subgraph, c, `${c} returns ${returned} but ${problems.join('; ')}`, field);
}
