import { z } from 'zod';
import { loadSubgraphConfig, parseEnv, type Env, type SubgraphConfig } from '#platform/config';
import { defaultPort } from '#contracts';

export interface PaymentsConfig extends SubgraphConfig {
  provider: {
    /** Simulated provider latency per call. */
    latencyMs: number;
    /** Charges above this many minor units are declined, unless a tenant has its own limit. */
    declineAbove: number;
    /** Per-tenant limits: tenant id → minor units. */
    tenantLimits: Record<string, number>;
  };
}

export function loadPaymentsConfig(env: Env, options: { standalone?: boolean } = {}): PaymentsConfig {
  const base = loadSubgraphConfig('payments', env, { ...options, defaultPort: defaultPort('payments') });
  const own = parseEnv(
    z.object({
      PAYMENT_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(base.env === 'test' ? 0 : 20),
      PAYMENT_DECLINE_ABOVE: z.coerce.number().int().min(0).default(1_000_000),
      PAYMENT_TENANT_LIMITS: z
        .string()
        .default('{}')
        .transform((text, ctx) => {
          try {
            const parsed = z.record(z.string(), z.number().int().min(0)).parse(JSON.parse(text));
            return parsed;
          } catch {
            ctx.addIssue({ code: 'custom', message: 'must be JSON like {"<tenant id>": 500000}' });
            return z.NEVER;
          }
        }),
    }),
    env,
  );
  return { ...base, provider: { latencyMs: own.PAYMENT_LATENCY_MS, declineAbove: own.PAYMENT_DECLINE_ABOVE, tenantLimits: own.PAYMENT_TENANT_LIMITS } };
}
