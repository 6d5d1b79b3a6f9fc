// Which process sees which gateway credential key, for the hosts that start the gateway and the
// subgraphs together: the gateway holds the secret, each subgraph only its own derived key.
import { credentialKeysJson, credentialKeysVariable, subgraphCredentialKey, type GatewayCredentialSecret } from '#platform/auth';
import type { Env } from '#platform/config';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';

const SECRET_VARIABLES = ['GATEWAY_CREDENTIAL_SECRET', 'GATEWAY_CREDENTIAL_KEY_ID'];

/**
 * Each subgraph's key derived from the gateway's secret, as the variable that subgraph reads, for
 * the subgraphs the env gives no key of their own (one it gives, e.g. with the previous key while
 * rotating, is kept).
 */
export function derivedSubgraphKeys(env: Env, secret: GatewayCredentialSecret | undefined): Record<string, string> {
  if (!secret) return {};
  return Object.fromEntries(
    SUBGRAPH_NAMES.filter((name) => !env[credentialKeysVariable(name)]).map((name) => [credentialKeysVariable(name), credentialKeysJson([subgraphCredentialKey(secret, name)])]),
  );
}

/** The env of one process of its own: the gateway without any subgraph's key, a subgraph without the secret and the other subgraphs' keys. */
export function credentialEnvOf(process: 'gateway' | SubgraphName, env: Record<string, string>): Record<string, string> {
  const hidden = new Set(SUBGRAPH_NAMES.filter((name) => name !== process).map(credentialKeysVariable));
  if (process !== 'gateway') for (const variable of SECRET_VARIABLES) hidden.add(variable);
  return Object.fromEntries(Object.entries(env).filter(([variable]) => !hidden.has(variable)));
}
