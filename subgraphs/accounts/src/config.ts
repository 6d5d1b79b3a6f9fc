import { z } from 'zod';
import { loadSubgraphConfig, parseEnv, type Env, type SubgraphConfig } from '../../kernel/src/config.js';

export interface AccountsConfig extends SubgraphConfig {
  jwt: {
    /** PKCS#8 PEM of the ES256 signing key; generated into DATA_DIR/keys when absent outside production. */
    privateKeyPem: string | undefined;
    keyId: string | undefined;
    issuer: string;
    audience: string;
    ttlSeconds: number;
  };
}

export function loadAccountsConfig(env: Env, options: { standalone?: boolean } = {}): AccountsConfig {
  const base = loadSubgraphConfig('accounts', env, options);
  const own = parseEnv(
    z.object({
      JWT_PRIVATE_KEY: z.string().min(1).optional(),
      JWT_KEY_ID: z.string().min(1).optional(),
      JWT_ISSUER: z.string().min(1).default('supergraph-commerce'),
      JWT_AUDIENCE: z.string().min(1).default('supergraph-commerce'),
      JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
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
    },
  };
}
