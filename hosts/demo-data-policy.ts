// Whether the demo data (published logins, see README "Demo data") may be seeded and may exist.
import { loadCommonConfig, type Env } from '#platform/config';
import type { AccountsDb } from '../subgraphs/accounts/src/db.js';
import { verifyPassword } from '../subgraphs/accounts/src/services/password-hasher.js';
import { DEMO_PASSWORD, DEMO_TENANTS } from '../prisma/demo-data.js';

export interface DemoDataPolicy {
  production: boolean;
  /** Seed the demo data into fresh databases (`SEED_DEMO_DATA`; on by default, off in production). */
  seed: boolean;
  /** Whether SEED_DEMO_DATA=on was set explicitly: the one way demo accounts may exist in production. */
  explicit: boolean;
}

export function loadDemoDataPolicy(env: Env): DemoDataPolicy {
  const config = loadCommonConfig(env);
  return { production: config.env === 'production', seed: config.demoData.seed, explicit: config.demoData.onPurpose };
}

export class DemoAccountsInProductionError extends Error {
  constructor(emails: string[]) {
    super(
      `refusing to start in production: ${emails.length} account(s) still sign in with the published demo password "${DEMO_PASSWORD}" ` +
        `(${emails.join(', ')}). Delete the demo tenants (acme, globex) or change those passwords; ` +
        'for a demonstration on purpose, set SEED_DEMO_DATA=on.',
    );
    this.name = 'DemoAccountsInProductionError';
  }
}

/**
 * In production, unless SEED_DEMO_DATA=on: fails when a user of the demo tenants (by tenant or
 * user id) still has the published password. Users that share one hash are checked once (the
 * seed gives every demo user the same hash), so this costs a few scrypt runs at start.
 */
export async function refuseDemoAccounts(policy: DemoDataPolicy, db: AccountsDb): Promise<void> {
  if (!policy.production || policy.explicit) return;
  const users = await db.user.findMany({
    where: {
      OR: [{ tenantId: { in: DEMO_TENANTS.map((t) => t.id) } }, { id: { in: DEMO_TENANTS.flatMap((t) => t.users.map((u) => u.id)) } }],
    },
    select: { email: true, passwordHash: true },
  });
  const byHash = new Map<string, string[]>();
  for (const user of users) byHash.set(user.passwordHash, [...(byHash.get(user.passwordHash) ?? []), user.email]);
  const exposed: string[] = [];
  for (const [hash, emails] of byHash) if (await verifyPassword(DEMO_PASSWORD, hash)) exposed.push(...emails);
  if (exposed.length) throw new DemoAccountsInProductionError(exposed.sort());
}
