import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkPolicies, readPolicies } from '#platform/auth';

const sdl = `
  type Query { open: Int  me: User @authenticated  users: [User] @requiresScopes(scopes: [["ADMIN"]]) }
  type User { id: ID  secret: Secret }
  type Secret @requiresScopes(scopes: [["ADMIN"], ["AUDITOR", "CUSTOMER"]]) { value: String }
  extend type User { stock: Int @authenticated }
`;
const schema = buildSchema(sdl, { assumeValidSDL: true });
const policies = readPolicies(sdl);
const check = (query: string, role: 'ADMIN' | 'CUSTOMER' | null) => {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition')!;
  return checkPolicies(schema, document, operation as never, policies, role ? { userId: 'u', tenantId: 't', role } : null);
};

describe('schema policies', () => {
  it('reads field, type and type-extension directives', () => {
    expect([...policies.keys()].sort()).toEqual(['Query.me', 'Query.users', 'Secret', 'User.stock']);
    expect(policies.get('Secret')).toEqual({ authenticated: true, scopes: [['ADMIN'], ['AUDITOR', 'CUSTOMER']] });
  });

  it('lets anyone use fields without a policy', () => {
    expect(check('{ open }', null)).toBeNull();
  });

  it('wants a caller for @authenticated, and a scope of the listed ones for @requiresScopes', () => {
    expect(check('{ me { id } }', null)).toEqual({ fields: ['Query.me'], unauthenticated: true });
    expect(check('{ me { id } }', 'CUSTOMER')).toBeNull();
    expect(check('{ users { id } }', 'CUSTOMER')).toEqual({ fields: ['Query.users'], unauthenticated: false });
    expect(check('{ users { id } }', 'ADMIN')).toBeNull();
  });

  it('checks the type a field returns and fields reached through fragments', () => {
    expect(check('{ me { ...F } } fragment F on User { secret { value } }', 'CUSTOMER')).toEqual({ fields: ['User.secret'], unauthenticated: false });
    expect(check('{ me { ... on User { stock } } }', 'CUSTOMER')).toBeNull();
  });

  it('ignores operations of the document that do not run', () => {
    const document = parse('query A { open } query B { users { id } }');
    const a = document.definitions[0]!;
    expect(checkPolicies(schema, document, a as never, policies, null)).toBeNull();
  });
});
