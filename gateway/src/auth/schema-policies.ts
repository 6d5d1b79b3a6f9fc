// Reading and checking policies is shared with the subgraphs, which enforce them again (kernel/auth/policies.ts).
export { readPolicies, satisfies, type Policy, type PolicyMap } from '#platform/auth';

/**
 * @apollo/gateway refuses supergraphs that link security features (it does not enforce them). We
 * enforce them ourselves (plugins/enforce-schema-policies.ts), so the links are loaded as plain features.
 */
export function acceptSecurityFeatures(supergraphSdl: string): string {
  return supergraphSdl.replace(/(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[0-9.]+"), for: SECURITY\)/g, '$1)');
}
