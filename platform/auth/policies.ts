import {
  getNamedType,
  Kind,
  parse,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type ConstDirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Identity } from './identity.js';

/** What a schema coordinate requires, from @authenticated and @requiresScopes in the SDL. */
export interface Policy {
  authenticated: boolean;
  /** Alternatives: the caller must hold every scope of at least one inner list. */
  scopes: string[][];
}

export type PolicyMap = Map<string, Policy>;

function policyOf(directives: readonly ConstDirectiveNode[] | undefined): Policy | null {
  let authenticated = false;
  let scopes: string[][] = [];
  for (const directive of directives ?? []) {
    if (directive.name.value === 'authenticated') authenticated = true;
    if (directive.name.value === 'requiresScopes') {
      const arg = directive.arguments?.find((a) => a.name.value === 'scopes');
      if (arg?.value.kind === Kind.LIST) {
        scopes = arg.value.values.map((group) => (group.kind === Kind.LIST ? group.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : []));
      }
    }
  }
  return authenticated || scopes.length ? { authenticated: authenticated || scopes.length > 0, scopes } : null;
}

/**
 * Reads an SDL (a subgraph's own schema.graphql or the composed supergraph): `Type.field` (and
 * `Type` for type-level directives) → policy. Type extensions count like definitions, so a
 * subgraph's `type Product @key(...) { stock: Stock! @authenticated }` is read too.
 */
export function readPolicies(sdl: string | DocumentNode): PolicyMap {
  const document = typeof sdl === 'string' ? parse(sdl) : sdl;
  const policies: PolicyMap = new Map();
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    const typePolicy = policyOf(definition.directives);
    if (typePolicy) policies.set(definition.name.value, typePolicy);
    for (const field of definition.fields ?? []) {
      const policy = policyOf(field.directives);
      if (policy) policies.set(`${definition.name.value}.${field.name.value}`, policy);
    }
  }
  return policies;
}

export function satisfies(policy: Policy, scopes: readonly string[]): boolean {
  return policy.scopes.length === 0 || policy.scopes.some((group) => group.every((scope) => scopes.includes(scope)));
}

/** Roles are scopes: an ADMIN token holds the scope "ADMIN". */
export function scopesOf(identity: Identity | null): string[] {
  return identity ? [identity.role] : [];
}

/** The operation that runs and the fragments it reaches: other operations of the document do not count. */
function reachable(document: DocumentNode, operation: OperationDefinitionNode): ASTNode[] {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const nodes: ASTNode[] = [operation];
  const seen = new Set<string>();
  for (let i = 0; i < nodes.length; i += 1) {
    visit(nodes[i]!, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          nodes.push(fragment);
        }
      },
    });
  }
  return nodes;
}

export interface PolicyVerdict {
  /** Coordinates the caller may not use, each once. */
  fields: string[];
  /** True when at least one refusal is for lack of any identity (UNAUTHENTICATED rather than FORBIDDEN). */
  unauthenticated: boolean;
}

/** A field of the operation that has a policy, by its own coordinate or by its return type. */
interface Guarded {
  coordinate: string;
  policy: Policy;
}

/**
 * The guarded fields of each operation, with the schema and policy map they were found for. Which
 * fields carry a policy depends on the operation alone, not on the caller: the walk is done once per
 * parsed document (the servers keep parsed documents, so a repeated operation arrives as the same
 * node), and again only if the schema or the policies change.
 */
const guardedByOperation = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; policies: PolicyMap; guarded: Guarded[] }>();

function guardedFields(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, policies: PolicyMap): Guarded[] {
  const known = guardedByOperation.get(operation);
  if (known?.schema === schema && known.policies === policies) return known.guarded;
  const guarded: Guarded[] = [];
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field() {
      const parent = typeInfo.getParentType();
      const field = typeInfo.getFieldDef();
      if (!parent || !field) return;
      const coordinate = `${parent.name}.${field.name}`;
      for (const policy of [policies.get(coordinate), policies.get(getNamedType(field.type).name)]) {
        if (policy) guarded.push({ coordinate, policy });
      }
    },
  });
  for (const node of reachable(document, operation)) visit(node, visitor);
  guardedByOperation.set(operation, { schema, policies, guarded });
  return guarded;
}

/**
 * Which fields of the operation (and the fragments it reaches) the caller may not use, by the
 * policies of the fields and of their return types. Null when every field is allowed.
 */
export function checkPolicies(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  policies: PolicyMap,
  identity: Identity | null,
): PolicyVerdict | null {
  if (policies.size === 0) return null;
  const scopes = scopesOf(identity);
  const denied: { coordinate: string; unauthenticated: boolean }[] = [];
  for (const { coordinate, policy } of guardedFields(schema, document, operation, policies)) {
    if (policy.authenticated && !identity) denied.push({ coordinate, unauthenticated: true });
    else if (!satisfies(policy, scopes)) denied.push({ coordinate, unauthenticated: false });
  }
  if (denied.length === 0) return null;
  return { fields: [...new Set(denied.map((d) => d.coordinate))], unauthenticated: denied.some((d) => d.unauthenticated) };
}
