// Who is calling and what they may do: identities, row rules, schema policies, gateway credentials.
export { IDENTITY_HEADERS, requestIdFrom, type Identity, type Role } from './identity.js';
export { canSeeCustomerRecord, requireIdentity, requireRole } from './access.js';
export { checkPolicies, readPolicies, satisfies, type Policy, type PolicyMap } from './policies.js';
export { GATEWAY_CREDENTIAL_HEADER, GatewayCredentialSigner, GatewayCredentialVerifier, TOOLING_KEY_HEADER } from './gateway-credential.js';
export {
  credentialKeysJson,
  credentialKeysVariable,
  loadGatewayCredentialSecret,
  loadSubgraphCredentialKeys,
  loadToolingKey,
  parseCredentialKeys,
  parseGatewayCredentialSecret,
  subgraphCredentialKey,
  type CredentialKey,
  type GatewayCredentialSecret,
} from './gateway-keys.js';
