import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, GraphQLError, Kind, TypeInfo, visit, visitWithTypeInfo, type ASTNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import { satisfies, type PolicyMap } from '../auth/schema-policies.js';

/** Roles are scopes: an ADMIN token holds the scope "ADMIN". */
function scopesOf(context: GatewayContext): string[] {
  return context.identity ? [context.identity.role] : [];
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

/**
 * Enforces @authenticated and @requiresScopes before the query is planned: an operation that
 * touches a field the caller may not use is refused whole (UNAUTHENTICATED 401 or FORBIDDEN 403),
 * so no subgraph is called. Subgraphs check again (defence in depth).
 */
export function enforceSchemaPoliciesPlugin(getPolicies: () => PolicyMap): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, schema, operation }) {
          if (!operation) return;
          const policies = getPolicies();
          const scopes = scopesOf(contextValue);
          const typeInfo = new TypeInfo(schema);
          const denied: { coordinate: string; unauthenticated: boolean }[] = [];
          const check = (node: ASTNode) => visit(
            node,
            visitWithTypeInfo(typeInfo, {
              Field() {
                const parent = typeInfo.getParentType();
                const field = typeInfo.getFieldDef();
                if (!parent || !field) return;
                const coordinate = `${parent.name}.${field.name}`;
                for (const policy of [policies.get(coordinate), policies.get(getNamedType(field.type).name)]) {
                  if (!policy) continue;
                  if (policy.authenticated && !contextValue.identity) denied.push({ coordinate, unauthenticated: true });
                  else if (!satisfies(policy, scopes)) denied.push({ coordinate, unauthenticated: false });
                }
              },
            }),
          );
          for (const node of reachable(document, operation)) check(node);
          if (denied.length === 0) return;
          const unauthenticated = denied.some((d) => d.unauthenticated);
          const fields = [...new Set(denied.map((d) => d.coordinate))];
          throw new GraphQLError(
            unauthenticated ? 'Sign in first: send Authorization: Bearer <token>.' : `You are not allowed to use ${fields.join(', ')}.`,
            { extensions: { code: unauthenticated ? 'UNAUTHENTICATED' : 'FORBIDDEN', fields, http: { status: unauthenticated ? 401 : 403 } } },
          );
        },
      };
    },
  };
}
