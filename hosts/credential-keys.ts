// The subgraphs' gateway credential keys, for the hosts that start the gateway and the subgraphs
// together: the gateway holds the secret, each subgraph only its own derived key (process-env.ts).
import { credentialKeysJson, credentialKeysVariable, subgraphCredentialKey, type GatewayCredentialSecret } from '#platform/auth';
import type { Env } from '#platform/config';
import { SUBGRAPH_NAMES } from '#contracts';

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
