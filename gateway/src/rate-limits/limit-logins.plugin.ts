import type { ApolloServerPlugin } from '@apollo/server';
import { getArgumentValues, Kind, type DocumentNode, type FieldNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import type { GatewayContext } from '../context.js';
import { rateLimited, type RateLimiter } from './rate-limiter.js';

/** The `login` fields at the root of the mutation, through fragments too (aliases make several). */
function loginFields(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD && selection.name.value === 'login') fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...loginFields(document, selection.selectionSet, seen));
    else if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) fields.push(...loginFields(document, fragment.selectionSet, seen));
    }
  }
  return fields;
}

function argumentsOf(schema: GraphQLSchema, field: FieldNode, variables: Record<string, unknown>): { tenant: string; email: string } | null {
  const definition = schema.getMutationType()?.getFields().login;
  if (!definition) return null;
  try {
    const args = getArgumentValues(definition, field, variables);
    return typeof args.tenant === 'string' && typeof args.email === 'string' ? { tenant: args.tenant, email: args.email } : null;
  } catch {
    return null; // arguments that do not coerce fail at execution, with no password checked
  }
}

/**
 * Each login attempt costs a token of the caller's address and of the account it names, before
 * any password is checked: guessing passwords, or spraying one over many accounts, runs dry.
 */
export function loginRateLimitsPlugin(limiter: RateLimiter): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, request, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          for (const field of loginFields(document, operation.selectionSet)) {
            const args = argumentsOf(schema, field, request.variables ?? {});
            const refusal = args ? await limiter.chargeLogin(contextValue.clientAddress ?? 'unknown', args.tenant, args.email) : null;
            if (refusal) throw rateLimited(refusal);
          }
        },
      };
    },
  };
}
