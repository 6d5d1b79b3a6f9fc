import { Kind, parse, type ConstDirectiveNode, type DocumentNode } from 'graphql';

/** What a schema coordinate requires, from @authenticated and @requiresScopes in the subgraph SDLs. */
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
 * Reads the composed supergraph: `Type.field` (and `Type` for type-level directives) → policy.
 * Composition keeps @authenticated/@requiresScopes on the supergraph's fields and types.
 */
export function readPolicies(supergraphSdl: string | DocumentNode): PolicyMap {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const policies: PolicyMap = new Map();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
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

/**
 * @apollo/gateway refuses supergraphs that link security features (it does not enforce them). We
 * enforce them ourselves (plugins/enforce-schema-policies.ts), so the links are loaded as plain features.
 */
export function acceptSecurityFeatures(supergraphSdl: string): string {
  return supergraphSdl.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[0-9.]+"), for: SECURITY\)/g, '$1)');
}
