// What each process started by a launcher may see of the launcher's environment: everything it may
// need (PATH, NODE_OPTIONS, OTEL_*, PG*, the settings its config reads), but no other process's secret.
import { credentialKeysVariable } from '#platform/auth';
import { SUBGRAPH_NAMES, type SubgraphName } from '#contracts';

/** The gateway's credential secret: the gateway alone derives and MACs with it. */
const GATEWAY_SECRET_VARIABLES = ['GATEWAY_CREDENTIAL_SECRET', 'GATEWAY_CREDENTIAL_KEY_ID'];
/** The user-token signing key: accounts signs; the gateway verifies through the JWKS and needs no private key. */
const USER_TOKEN_SIGNING_VARIABLES = ['JWT_PRIVATE_KEY', 'JWT_KEY_ID'];
/** Read by the gateway alone (rate limits, sessions); the URL may carry Redis's password. */
const GATEWAY_ONLY_VARIABLES = ['REDIS_URL'];
/** What composition tooling shows subgraphs to read `_service`; the gateway never sends it. */
const SUBGRAPH_ONLY_VARIABLES = ['SUBGRAPH_TOOLING_KEY'];

const databaseVariable = (name: SubgraphName) => `DATABASE_URL_${name.toUpperCase()}`;

/** The variables `process` must not be given: other processes' databases, keys and secrets. */
function hiddenFrom(process: 'gateway' | SubgraphName): Set<string> {
  const others = SUBGRAPH_NAMES.filter((name) => name !== process);
  const hidden = new Set([...others.map(databaseVariable), ...others.map(credentialKeysVariable)]);
  if (process === 'gateway') {
    for (const variable of [...USER_TOKEN_SIGNING_VARIABLES, ...SUBGRAPH_ONLY_VARIABLES]) hidden.add(variable);
    return hidden;
  }
  for (const variable of [...GATEWAY_SECRET_VARIABLES, ...GATEWAY_ONLY_VARIABLES]) hidden.add(variable);
  if (process !== 'accounts') for (const variable of USER_TOKEN_SIGNING_VARIABLES) hidden.add(variable);
  return hidden;
}

/**
 * The env of one process of its own: a subgraph with its own database URL and credential key, and
 * the signing key when it is accounts; the gateway with the credential secret, Redis and the
 * token-checking settings, without any database URL, subgraph key or the signing key.
 */
export function processEnvOf(process: 'gateway' | SubgraphName, env: Record<string, string>): Record<string, string> {
  const hidden = hiddenFrom(process);
  return Object.fromEntries(Object.entries(env).filter(([variable]) => !hidden.has(variable)));
}
