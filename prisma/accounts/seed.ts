import type { AccountsDb } from '../../subgraphs/accounts/src/db.js';
import { hashPassword } from '../../subgraphs/accounts/src/services/password-hasher.js';
import { DEMO_PASSWORD, DEMO_TENANTS } from '../demo-data.js';

/** Tenants and users; one password hash shared by the demo users (they share the password). */
export async function seedAccounts(db: AccountsDb): Promise<void> {
  await db.tenant.createMany({ data: DEMO_TENANTS.map((t) => ({ id: t.id, slug: t.slug, name: t.name })), skipDuplicates: true });
  const existing = await db.user.count({ where: { id: { in: DEMO_TENANTS.flatMap((t) => t.users.map((u) => u.id)) } } });
  if (existing === DEMO_TENANTS.flatMap((t) => t.users).length) return;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.user.createMany({
    data: DEMO_TENANTS.flatMap((t) => t.users.map((u) => ({ ...u, tenantId: t.id, passwordHash }))),
    skipDuplicates: true,
  });
}
