import { requireIdentity } from '../auth/access.js';
import type { Identity } from '../auth/identity.js';

/**
 * Per-request access to what is bound to the caller's tenant (repositories, loaders). Made on first
 * use, so an anonymous request gets UNAUTHENTICATED instead of a repository without a tenant.
 */
export function tenantScope<T>(identity: Identity | null, make: (caller: Identity) => T): () => T & { caller: Identity } {
  let made: (T & { caller: Identity }) | undefined;
  return () => {
    if (!made) {
      const caller = requireIdentity(identity);
      made = { ...make(caller), caller };
    }
    return made;
  };
}
