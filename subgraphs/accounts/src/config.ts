import { z } from 'zod';
import type { JWK } from 'jose';
import { jwksJson, loadSubgraphConfig, parseEnv, type Env, type SubgraphConfig } from '#platform/config';
import { defaultPort } from '#contracts';

export interface AccountsConfig extends SubgraphConfig {
  jwt: {
    /** PKCS#8 PEM of the ES256 signing key; generated into DATA_DIR/keys when absent outside production. */
    privateKeyPem: string | undefined;
    keyId: string | undefined;
    issuer: string;
    audience: string;
    ttlSeconds: number;
    /** Public keys of retired signing keys, still served in the JWKS until the last token they signed has expired. */
    previousPublicKeys: JWK[];
  };
  /** How long a refresh token can wait to be used; each refresh issues a new one for as long again. */
  refreshTtlSeconds: number;
}

export function loadAccountsConfig(env: Env, options: { standalone?: boolean } = {}): AccountsConfig {
  const base = loadSubgraphConfig('accounts', env, { ...options, defaultPort: defaultPort('accounts') });
  const own = parseEnv(
    z.object({
      JWT_PRIVATE_KEY: z.string().min(1).optional(),
      JWT_KEY_ID: z.string().min(1).optional(),
      JWT_ISSUER: z.string().min(1).default('supergraph-commerce'),
      JWT_AUDIENCE: z.string().min(1).default('supergraph-commerce'),
      JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
      JWT_PREVIOUS_PUBLIC_KEYS: jwksJson.optional(),
      REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(31_536_000).default(2_592_000),
    }),
    env,
  );
  if (base.env === 'production' && !own.JWT_PRIVATE_KEY) {
    throw new Error('invalid configuration:\n  - JWT_PRIVATE_KEY: required in production');
  }
  return {
    ...base,
    jwt: {
      privateKeyPem: own.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n'),
      keyId: own.JWT_KEY_ID,
      issuer: own.JWT_ISSUER,
      audience: own.JWT_AUDIENCE,
      ttlSeconds: own.JWT_TTL_SECONDS,
      previousPublicKeys: own.JWT_PREVIOUS_PUBLIC_KEYS ?? [],
    },
    refreshTtlSeconds: own.REFRESH_TOKEN_TTL_SECONDS,
  };
}
